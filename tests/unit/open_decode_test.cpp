#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/openat2.h>

#include <cstring>

#include "events/decode.h"
#include "events/open_flags.h"
#include "kscope/abi/open.h"

namespace kscope {
namespace {

TEST(OpenFlags, Text) {
    EXPECT_EQ(open_flags_text(O_RDONLY), "O_RDONLY");
    EXPECT_EQ(open_flags_text(O_WRONLY | O_CREAT | O_TRUNC), "O_WRONLY|O_CREAT|O_TRUNC");
    EXPECT_EQ(open_flags_text(O_RDWR | O_APPEND | O_CLOEXEC), "O_RDWR|O_APPEND|O_CLOEXEC");
    EXPECT_EQ(open_flags_text(O_RDONLY | O_SYNC), "O_RDONLY|O_SYNC");  // not O_DSYNC too
    EXPECT_EQ(open_flags_text(O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE");  // not O_DIRECTORY too
    EXPECT_EQ(open_flags_text(O_RDONLY | O_DIRECTORY), "O_RDONLY|O_DIRECTORY");
    EXPECT_EQ(open_flags_text(O_RDONLY | 0x40000000), "O_RDONLY|0x40000000");
    EXPECT_TRUE(open_creates(O_CREAT));
    EXPECT_TRUE(open_creates(O_TMPFILE | O_RDWR));
    EXPECT_FALSE(open_creates(O_DIRECTORY));
    EXPECT_EQ(resolve_flags_text(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), "RESOLVE_NO_SYMLINKS|RESOLVE_BENEATH");
    EXPECT_EQ(resolve_flags_text(0), "");
}

std::vector<std::byte> raw_open(const std::string& path, const std::string& base, uint16_t flags, int32_t dirfd) {
    kscope_open_event e{};
    e.hdr.type = KSCOPE_EVENT_OPEN;
    e.hdr.pid = 9;
    e.ret = -2;
    e.dirfd = dirfd;
    e.syscall = KSCOPE_OPEN_OPENAT;
    e.flags = flags;
    e.path_len = path.size();
    e.base_len = base.size();
    e.hdr.size = sizeof(e) + path.size() + base.size();
    std::vector<std::byte> raw(e.hdr.size);
    std::memcpy(raw.data(), &e, sizeof e);
    std::memcpy(raw.data() + sizeof e, path.data(), path.size());
    std::memcpy(raw.data() + sizeof e + path.size(), base.data(), base.size());
    return raw;
}

TEST(DecodeOpen, ResolvesAgainstTheBaseFromTheKernel) {
    auto e = decode_open(raw_open("../b/./c", "/home/a", KSCOPE_OPEN_BASE_RESOLVED, -100), {});
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->path, "../b/./c");
    EXPECT_EQ(e->resolved_path, "/home/b/c");
    EXPECT_STREQ(e->resolution, "cwd");  // const char*: compare the text, not the pointers
    EXPECT_STREQ(e->syscall, "openat");
    EXPECT_EQ(e->ret, -2);

    auto d = decode_open(raw_open("x", "/", KSCOPE_OPEN_BASE_RESOLVED, 5), {});
    EXPECT_EQ(d->resolved_path, "/x");
    EXPECT_STREQ(d->resolution, "dirfd");
}

TEST(DecodeOpen, SaysWhyAPathWasNotResolved) {
    EXPECT_STREQ(decode_open(raw_open("x", "", KSCOPE_OPEN_BASE_BAD_DIRFD, 7), {})->resolution, "bad_dirfd");
    EXPECT_STREQ(decode_open(raw_open("x", "", KSCOPE_OPEN_BASE_INCOMPLETE, -100), {})->resolution, "too_deep");
    EXPECT_STREQ(decode_open(raw_open("", "", KSCOPE_OPEN_PATH_UNREADABLE, -100), {})->resolution, "unreadable");
    auto abs = decode_open(raw_open("/etc//passwd", "", 0, -100), {});
    EXPECT_STREQ(abs->resolution, "as_passed");
    EXPECT_EQ(abs->resolved_path, "/etc/passwd");
    EXPECT_EQ(abs->path, "/etc//passwd");
}

TEST(DecodeOpen, RejectsLengthsPastTheEnd) {
    auto raw = raw_open("abc", "/x", KSCOPE_OPEN_BASE_RESOLVED, -100);
    // Cut short of the size its header claims: the header check refuses it.
    auto cut = decode_open(std::span(raw).first(raw.size() - 1), {});
    ASSERT_FALSE(cut.ok());
    EXPECT_NE(cut.error().message.find("claims"), std::string::npos) << cut.error().message;

    // A sound header (its size is the buffer's) with path/base lengths that run past the
    // end: only the open decoder's own check can refuse it.
    auto with_lengths = [&](uint16_t path_len, uint16_t base_len) {
        auto r = raw;
        auto* e = reinterpret_cast<kscope_open_event*>(r.data());
        EXPECT_EQ(e->hdr.size, r.size());
        e->path_len = path_len;
        e->base_len = base_len;
        return r;
    };
    auto exact = decode_open(with_lengths(3, 2), {});
    ASSERT_TRUE(exact.ok()) << exact.error().message;
    EXPECT_EQ(exact->resolved_path, "/x/abc");
    for (auto [path_len, base_len] : std::vector<std::pair<uint16_t, uint16_t>>{
             {3, 3}, {4, 2}, {6, 0}, {0, 6}, {0xFFFF, 0}, {0xFFFF, 0xFFFF}}) {
        auto r = decode_open(with_lengths(path_len, base_len), {});
        ASSERT_FALSE(r.ok()) << path_len << " + " << base_len;
        EXPECT_EQ(r.error().message, "open event: path runs past the event's end") << path_len << " + " << base_len;
    }
}

}  // namespace
}  // namespace kscope

namespace kscope {
namespace {

TEST(DecodeOpen, NormalizesLikeTheFilesystemLibrary) {
    struct Case {
        std::string base, path, want;
    };
    for (const auto& c : std::vector<Case>{{"/", "a", "/a"},
                                           {"/home/u", "f.txt", "/home/u/f.txt"},
                                           {"/home/u/", "f", "/home/u/f"},
                                           {"/home/u", "./f", "/home/u/f"},
                                           {"/home/u", "a/../b", "/home/u/b"},
                                           {"/home/u", "..", "/home"},
                                           {"/home/u", ".hidden", "/home/u/.hidden"},
                                           {"/home/u", "a//b", "/home/u/a/b"},
                                           {"/home/u", "dir/", "/home/u/dir/"}}) {
        auto e = decode_open(raw_open(c.path, c.base, KSCOPE_OPEN_BASE_RESOLVED, -100), {});
        ASSERT_TRUE(e.ok());
        EXPECT_EQ(e->resolved_path, c.want) << c.base << " + " << c.path;
    }
    EXPECT_EQ(decode_open(raw_open("/a/./b/../c", "", 0, -100), {})->resolved_path, "/a/c");
    EXPECT_EQ(decode_open(raw_open("/..foo/x", "", 0, -100), {})->resolved_path, "/..foo/x");
}

}  // namespace
}  // namespace kscope
