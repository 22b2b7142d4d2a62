// The human tables: every column stays under its header whatever the row holds, and
// each row shows what a user needs to tell events apart.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <csignal>
#include <sstream>

#include "events/file_io.h"
#include "sinks/file_io_report.h"
#include "sinks/table_sink.h"
#include "sinks/table_text.h"
#include "sinks/tcp_traffic_report.h"

namespace kscope {
namespace {

// Everything a TableSink of `type` prints for these events.
std::vector<std::string> table_lines(std::string_view type, const std::vector<Event>& events) {
    int fd = memfd_create("table", 0);
    {
        TableSink sink(fd, type, {});
        for (const auto& e : events)
            sink.write(e);
        EXPECT_TRUE(sink.flush());
    }
    std::string text(size_t(lseek(fd, 0, SEEK_END)), '\0');
    EXPECT_EQ(pread(fd, text.data(), text.size(), 0), ssize_t(text.size()));
    close(fd);
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        lines.push_back(l);
    return lines;
}

// The column where `word` starts in the line.
size_t column_of(const std::string& line, const std::string& word) { return line.find(word); }

TEST(TableFormat, ExitSignalColumnHoldsCoreDumps) {
    ExitEvent crashed;
    crashed.common = {.pid = 4242, .ppid = 1, .comm = "crasher"};
    crashed.signal = SIGSEGV;
    crashed.core_dumped = true;
    crashed.duration_ns = 1'500'000'000;
    ExitEvent fine;
    fine.common = {.pid = 4243, .ppid = 1, .comm = "fine"};
    auto lines = table_lines("exit", {crashed, fine});
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_NE(lines[1].find("SIGSEGV(core)"), std::string::npos);
    // AGE(s) ends in the same column on every line.
    EXPECT_EQ(lines[0].size(), lines[1].size()) << lines[0] << "\n" << lines[1];
    EXPECT_EQ(lines[1].size(), lines[2].size()) << lines[1] << "\n" << lines[2];
}

TEST(TableFormat, OpenShowsModeAndKeepsPathColumn) {
    OpenEvent create;
    create.common = {.pid = 10, .comm = "cp"};
    create.path = create.resolved_path = "/tmp/out";
    create.open_flags = O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW;
    create.mode = 0640;
    create.ret = 3;
    OpenEvent failed;
    failed.common = {.pid = 11, .comm = "cat"};
    failed.path = failed.resolved_path = "/etc/missing";
    failed.ret = -ENAMETOOLONG;
    auto lines = table_lines("open", {create, failed});
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_NE(lines[1].find("0640"), std::string::npos) << lines[1];
    EXPECT_NE(lines[1].find("RDWR|CREAT|EXCL|NOFOLLOW|CLOEXEC"), std::string::npos) << lines[1];
    EXPECT_NE(lines[2].find("ENAMETOOLONG"), std::string::npos) << lines[2];
    const size_t path = column_of(lines[0], "PATH");
    EXPECT_EQ(column_of(lines[1], "/tmp/out"), path) << lines[1];
    EXPECT_EQ(column_of(lines[2], "/etc/missing"), path) << lines[2];
    EXPECT_EQ(column_of(lines[1], "0640"), column_of(lines[0], "MODE"));
}

TEST(TableFormat, ExecShowsTheFileWhenItIsNotArgv0OrFailed) {
    ExecEvent search;  // one step of a PATH search
    search.common = {.pid = 20, .comm = "sh"};
    search.filename = "/usr/local/bin/tool";
    search.argv = {"tool", "-v"};
    search.ret = -ENOENT;
    ExecEvent plain;
    plain.common = {.pid = 21, .comm = "sh"};
    plain.filename = "/bin/ls";
    plain.argv = {"/bin/ls", "-l"};
    auto lines = table_lines("exec", {search, plain});
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_NE(lines[1].find("ENOENT"), std::string::npos);
    EXPECT_EQ(lines[1].substr(column_of(lines[0], "ARGS")), "[/usr/local/bin/tool] tool -v");
    EXPECT_EQ(lines[2].substr(column_of(lines[0], "ARGS")), "/bin/ls -l");
}

TEST(TableFormat, HumanBytes) {
    EXPECT_EQ(human_bytes(0), "0 B");
    EXPECT_EQ(human_bytes(700), "700 B");
    EXPECT_EQ(human_bytes(1536), "1.5 KiB");
    EXPECT_EQ(human_bytes(20u << 20), "20.0 MiB");
    EXPECT_EQ(human_bytes(3ull << 30), "3.0 GiB");
    EXPECT_EQ(endpoint_text("::1", 80), "[::1]:80");
    EXPECT_EQ(endpoint_text("10.0.0.1", 53), "10.0.0.1:53");
    EXPECT_EQ(endpoint_text("", 53), "-");
}

TEST(TableFormat, FiletopShowsSmallFilesAndNamesItsColumns) {
    FileIoRow r;
    r.pid = 7;
    r.comm = "app";
    r.path = "/var/log/app.log";
    r.file_type = "regular";
    r.writes = 1;
    r.write_bytes = 100;
    std::string out;
    append_file_io_table(out, 0, {r});
    EXPECT_NE(out.find("TYPE"), std::string::npos) << out;
    EXPECT_NE(out.find("100 B"), std::string::npos) << out;
}

}  // namespace
}  // namespace kscope
