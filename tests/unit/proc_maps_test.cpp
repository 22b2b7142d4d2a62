#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <climits>

#include "profile/proc_maps.h"

namespace kscope {
namespace {

constexpr const char* kMaps =
    "55d0c0a00000-55d0c0a02000 r--p 00000000 fd:01 1311022                    /usr/bin/prog\n"
    "55d0c0a02000-55d0c0a05000 r-xp 00002000 fd:01 1311022                    /usr/bin/prog\n"
    "55d0c0a05000-55d0c0a06000 rw-p 00005000 fd:01 1311022                    /usr/bin/prog\n"
    "7f1a2b000000-7f1a2b001000 rwxp 00000000 00:00 0 \n"
    "7f1a2c028000-7f1a2c1bd000 r-xp 00028000 103:02 2400123                   /usr/lib/x86_64-linux-gnu/libc.so.6\n"
    "7f1a2c400000-7f1a2c401000 r-xp 00001000 08:11 77                         /opt/my app/lib x.so (deleted)\n"
    "this line is not a mapping\n"
    "7ffd5e1f0000-7ffd5e1f2000 r-xp 00000000 00:00 0                          [vdso]\n"
    "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]";

TEST(ProfileProcMaps, KeepsExecutableMappingsWithFileIdentity) {
    ProcessMaps maps = parse_proc_maps(kMaps, 42);
    EXPECT_EQ(maps.pid, 42u);
    ASSERT_EQ(maps.mappings.size(), 6u);
    const Mapping& prog = maps.mappings[0];
    EXPECT_EQ(prog.start, 0x55d0c0a02000u);
    EXPECT_EQ(prog.end, 0x55d0c0a05000u);
    EXPECT_EQ(prog.file_offset, 0x2000u);
    EXPECT_EQ(prog.dev, makedev(0xfd, 0x01));
    EXPECT_EQ(prog.inode, 1311022u);
    EXPECT_EQ(prog.path, "/usr/bin/prog");
    EXPECT_EQ(maps.mappings[1].path, "");  // anonymous rwx: JIT code
    EXPECT_EQ(maps.mappings[2].dev, makedev(0x103, 0x02));
    EXPECT_EQ(maps.mappings[2].file_offset, 0x28000u);
    EXPECT_EQ(maps.mappings[3].path, "/opt/my app/lib x.so (deleted)");  // spaces kept, as shown
    EXPECT_EQ(maps.mappings[4].path, "[vdso]");
    EXPECT_EQ(maps.mappings[5].path, "[vsyscall]");
}

TEST(ProfileProcMaps, FindHonorsBoundaries) {
    ProcessMaps maps = parse_proc_maps(kMaps);
    EXPECT_EQ(maps.find(0x55d0c0a02000)->path, "/usr/bin/prog");     // start is inside
    EXPECT_EQ(maps.find(0x55d0c0a04fff)->path, "/usr/bin/prog");
    EXPECT_EQ(maps.find(0x55d0c0a05000), nullptr);                    // end is not
    EXPECT_EQ(maps.find(0x55d0c0a01000), nullptr);                    // r--p part: not kept
    EXPECT_EQ(maps.find(0x1000), nullptr);                            // below everything
    EXPECT_EQ(maps.find(0x7f1a2c100000)->path, "/usr/lib/x86_64-linux-gnu/libc.so.6");
    EXPECT_EQ(maps.find(0x7f1a2b000010)->path, "");
    EXPECT_EQ(maps.find(UINT64_MAX), nullptr);
    EXPECT_EQ(ProcessMaps{}.find(0x1000), nullptr);
}

TEST(ProfileProcMaps, UnsortedInputIsSorted) {
    ProcessMaps maps = parse_proc_maps("7000-8000 r-xp 00000000 00:00 0 /b\n1000-2000 r-xp 00000000 00:00 0 /a\n");
    ASSERT_EQ(maps.mappings.size(), 2u);
    EXPECT_EQ(maps.mappings[0].path, "/a");
    EXPECT_EQ(maps.find(0x7800)->path, "/b");
}

__attribute__((noinline)) int function_in_this_binary(int x) { return x * 3 + 1; }

TEST(ProfileProcMaps, ReadsOwnMaps) {
    auto maps = read_proc_maps(static_cast<uint32_t>(getpid()));
    ASSERT_TRUE(maps.ok()) << maps.error().message;
    EXPECT_EQ(maps->pid, static_cast<uint32_t>(getpid()));
    EXPECT_EQ(maps->comm, "kscope_unit_tes");  // comm is cut at 15 characters
    char exe[PATH_MAX] = {};
    ASSERT_GT(readlink("/proc/self/exe", exe, sizeof exe - 1), 0);
    const Mapping* m = maps->find(reinterpret_cast<uint64_t>(&function_in_this_binary));
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->path, exe);
    struct stat st {};
    ASSERT_EQ(stat(exe, &st), 0);
    EXPECT_EQ(m->inode, st.st_ino);
    EXPECT_EQ(m->dev, st.st_dev);
    for (const auto& mapping : maps->mappings)
        EXPECT_LT(mapping.start, mapping.end);
}

TEST(ProfileProcMaps, GoneProcessIsAnErrorNamingTheFile) {
    auto maps = read_proc_maps(123, "/nonexistent-proc");
    ASSERT_FALSE(maps.ok());
    EXPECT_NE(maps.error().message.find("/nonexistent-proc/123/maps"), std::string::npos) << maps.error().message;
}

}  // namespace
}  // namespace kscope
