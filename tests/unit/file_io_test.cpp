#include <gtest/gtest.h>

#include "events/file_io.h"

namespace kscope {
namespace {

FileCounters counters(const std::string& path, uint64_t rb, uint64_t wb) {
    FileCounters c;
    c.comm = "app";
    c.path = path;
    c.file_type = "regular";
    c.reads = rb ? 1 : 0;
    c.writes = wb ? 1 : 0;
    c.read_bytes = rb;
    c.write_bytes = wb;
    return c;
}

TEST(FileIoRows, DeltasSortedByBytesAndIdleFilesDropped) {
    FileSnapshot before{{{1, 8, 100}, counters("/a", 100, 0)}, {{1, 8, 101}, counters("/b", 5, 5)}};
    FileSnapshot after{{{1, 8, 100}, counters("/a", 100, 0)},
                       {{1, 8, 101}, counters("/b", 10, 1005)},
                       {{2, 8, 102}, counters("/c", 0, 50)}};
    after[{1, 8, 101}].writes = 3;
    auto rows = file_io_rows(before, after, 0);
    ASSERT_EQ(rows.size(), 2u);  // /a had no I/O in the interval
    EXPECT_EQ(rows[0].path, "/b");
    EXPECT_EQ(rows[0].read_bytes, 5u);
    EXPECT_EQ(rows[0].write_bytes, 1000u);
    EXPECT_EQ(rows[0].writes, 2u);
    EXPECT_EQ(rows[1].path, "/c");
    EXPECT_EQ(rows[1].pid, 2u);
    EXPECT_EQ(file_io_rows(before, after, 1).size(), 1u);
}

TEST(FileIoRows, AnonymousNames) {
    EXPECT_EQ(anonymous_file_name("socket", 42), "socket:[42]");
    EXPECT_EQ(anonymous_file_name("pipe", 7), "pipe:[7]");
    EXPECT_EQ(anonymous_file_name("other", 1), "anon_inode:[1]");
}

}  // namespace
}  // namespace kscope
