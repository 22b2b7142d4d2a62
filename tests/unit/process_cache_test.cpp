#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/process_cache.h"
#include "util/proc_stat.h"

namespace kscope {
namespace {
namespace fs = std::filesystem;

ProcessInfo info(uint32_t pid) {
    ProcessInfo p;
    p.pid = pid;
    p.comm = "p" + std::to_string(pid);
    return p;
}

TEST(ProcessCache, BoundedEvictsLeastRecentlyUsed) {
    ProcessCache c(3);
    c.upsert(info(1));
    c.upsert(info(2));
    c.upsert(info(3));
    ASSERT_NE(c.find(1), nullptr);  // 1 is now the most recent
    c.upsert(info(4));              // evicts 2
    EXPECT_EQ(c.size(), 3u);
    EXPECT_EQ(c.find(2), nullptr);
    EXPECT_NE(c.find(1), nullptr);
    EXPECT_NE(c.find(3), nullptr);
    EXPECT_NE(c.find(4), nullptr);
}

TEST(ProcessCache, UpsertReplacesAndEraseRemoves) {
    ProcessCache c(10);
    c.upsert(info(5));
    ProcessInfo again = info(5);
    again.exe = "/bin/new";
    c.upsert(again);
    EXPECT_EQ(c.size(), 1u);
    EXPECT_EQ(c.find(5)->exe, "/bin/new");
    c.erase(5);
    EXPECT_EQ(c.find(5), nullptr);
    c.erase(5);  // erasing twice is harmless
}

class FakeProc : public ::testing::Test {
protected:
    void SetUp() override {
        root = fs::temp_directory_path() / ("kscope-proc-" + std::to_string(getpid()));
        fs::create_directories(root);
    }
    void TearDown() override { fs::remove_all(root); }
    void add(uint32_t pid, const std::string& stat, const std::string& cmdline, const std::string& cgroup) {
        fs::path d = root / std::to_string(pid);
        fs::create_directories(d);
        std::ofstream(d / "stat") << stat;
        std::ofstream(d / "status") << "Name:\tx\nUid:\t1000\t1000\t1000\t1000\n";
        std::ofstream(d / "cmdline", std::ios::binary) << cmdline;
        std::ofstream(d / "cgroup") << cgroup;
    }
    fs::path root;
};

TEST_F(FakeProc, SeedsFromProc) {
    using namespace std::string_literals;
    const std::string id(64, 'a');
    // A comm with a space and a parenthesis, as the kernel allows.
    add(100, "100 (my (odd) name) S 1 100 100 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 250 1000 10\n",
        "python3\0-c\0print(1)\0"s, "0::/system.slice/docker-" + id + ".scope\n");
    add(200, "200 (sh) S 100 200 200 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 300 1000 10\n", "sh\0"s,
        "4:memory:/docker/" + std::string(64, 'b') + "\n0::/\n");
    fs::create_directories(root / "self");  // not a pid: ignored
    ProcessCache c(10);
    EXPECT_EQ(c.seed_from_proc(root.string()), 2u);
    const ProcessInfo* p = c.find(100);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->comm, "my (odd) name");
    EXPECT_EQ(p->ppid, 1u);
    EXPECT_EQ(p->uid, 1000u);
    EXPECT_EQ(p->argv, (std::vector<std::string>{"python3", "-c", "print(1)"}));
    EXPECT_EQ(p->start_boot_ns, 250u * (1'000'000'000ULL / sysconf(_SC_CLK_TCK)));
    EXPECT_EQ(p->container_id, id);
    // Hybrid host: the container shows only in a v1 hierarchy.
    EXPECT_EQ(c.find(200)->container_id, std::string(64, 'b'));
    EXPECT_EQ(c.find(200)->ppid, 100u);
}

TEST(ProcessCacheReal, SeesItself) {
    ProcessCache c;
    EXPECT_GT(c.seed_from_proc(), 0u);
    const ProcessInfo* self = c.find(getpid());
    ASSERT_NE(self, nullptr);
    EXPECT_EQ(self->ppid, static_cast<uint32_t>(getppid()));
    EXPECT_FALSE(self->exe.empty());
}

TEST(ProcStat, CommWithSpacesAndParenthesesAndNumberedFields) {
    auto s = parse_proc_stat("42 (a (b) c) S 7 42 42 0 -1 4194560 10 0 0 0 150 25 0 0 20 0 1 0 9001 0\n");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->comm, "a (b) c");
    EXPECT_EQ(s->fields[0], "S");
    EXPECT_EQ(s->number(4), 7u);
    EXPECT_EQ(s->number(9), 4194560u);
    EXPECT_EQ(s->number(14), 150u);
    EXPECT_EQ(s->number(15), 25u);
    EXPECT_EQ(s->number(22), 9001u);
    EXPECT_EQ(s->number(99), 0u);
    EXPECT_FALSE(parse_proc_stat("garbage"));
    EXPECT_FALSE(parse_proc_stat(""));
}

}  // namespace
}  // namespace kscope
