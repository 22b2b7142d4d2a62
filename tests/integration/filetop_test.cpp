// kscope filetop against the real kernel: exact byte counts per file and process.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness.h"

namespace kscope::test {
namespace {
namespace fs = std::filesystem;

struct Totals {
    uint64_t reads = 0, writes = 0, read_bytes = 0, write_bytes = 0;
    std::string file_type;
};

Totals totals(const std::vector<nlohmann::json>& rows, pid_t pid, const std::string& path) {
    Totals t;
    for (const auto& r : rows) {
        if (r["type"] != "file_io" || r["pid"] != pid || r["path"] != path)
            continue;
        t.reads += r["reads"].get<uint64_t>();
        t.writes += r["writes"].get<uint64_t>();
        t.read_bytes += r["read_bytes"].get<uint64_t>();
        t.write_bytes += r["write_bytes"].get<uint64_t>();
        t.file_type = r["file_type"];
    }
    return t;
}

// Runs fn in a child named kscope-ftop under `kscope filetop --json`; returns all rows.
std::vector<nlohmann::json> trace(const std::function<void()>& fn, pid_t& child) {
    Kscope k({"filetop", "--json", "--interval", "0.3", "--top", "0", "-c", "kscope-ftop"});
    EXPECT_TRUE(k.ready()) << k.stderr_text();
    child = spawn([&] {
        std::ofstream("/proc/self/comm") << "kscope-ftop" << std::flush;
        fn();
    });
    wait_child(child);
    usleep(400'000);
    k.stop();
    return k.json_lines();
}

class FiletopTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir = fs::temp_directory_path() / ("kscope-filetop-" + std::to_string(getpid()));
        fs::create_directories(dir);
    }
    void TearDown() override { fs::remove_all(dir); }
    fs::path dir;
};

TEST_F(FiletopTest, TenMibWrittenAndReadBackExactly) {
    REQUIRE_ROOT();
    const std::string path = (dir / "ten-mib.bin").string();
    constexpr size_t kTotal = 10 * 1024 * 1024;
    pid_t child = 0;
    auto rows = trace(
        [&] {
            std::vector<char> block(64 * 1024, 'k');
            int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            for (size_t done = 0; done < kTotal; done += block.size())
                if (write(fd, block.data(), block.size()) != ssize_t(block.size()))
                    _exit(1);
            close(fd);
            fd = open(path.c_str(), O_RDONLY);
            while (read(fd, block.data(), block.size()) > 0) {
            }
            close(fd);
        },
        child);
    Totals t = totals(rows, child, path);
    EXPECT_EQ(t.write_bytes, kTotal);
    EXPECT_EQ(t.read_bytes, kTotal);
    EXPECT_EQ(t.writes, 160u);
    EXPECT_EQ(t.reads, 161u);  // 160 full blocks and the read that returns 0 at EOF
    EXPECT_EQ(t.file_type, "regular");
}

TEST_F(FiletopTest, FollowsTheFileThroughDupCloseAndFdReuse) {
    REQUIRE_ROOT();
    const std::string a = (dir / "a").string(), b = (dir / "b").string();
    pid_t child = 0;
    auto rows = trace(
        [&] {
            char buf[1000] = {};
            int fa = open(a.c_str(), O_WRONLY | O_CREAT, 0644);
            if (write(fa, buf, 1000) != 1000)
                _exit(1);
            int dup_fd = dup2(fa, 50);
            if (write(dup_fd, buf, 500) != 500)
                _exit(1);
            close(fa);
            close(dup_fd);
            int fb = open(b.c_str(), O_WRONLY | O_CREAT, 0644);  // reuses fa's number
            if (fb != fa || write(fb, buf, 300) != 300)
                _exit(1);
            int again = dup2(fb, 50);  // and b now sits on 50 too
            if (write(again, buf, 7) != 7)
                _exit(1);
        },
        child);
    Totals ta = totals(rows, child, a), tb = totals(rows, child, b);
    EXPECT_EQ(ta.write_bytes, 1500u);
    EXPECT_EQ(ta.writes, 2u);
    EXPECT_EQ(tb.write_bytes, 307u);
    EXPECT_EQ(tb.writes, 2u);
}

TEST_F(FiletopTest, PipesAndSocketsAreTyped) {
    REQUIRE_ROOT();
    pid_t child = 0;
    ino_t pipe_ino = 0, sock_ino = 0;
    const fs::path inos = dir / "inos";
    auto rows = trace(
        [&] {
            int p[2], s[2];
            if (pipe(p) != 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, s) != 0)
                _exit(1);
            char buf[4096] = {};
            if (write(p[1], buf, 4096) != 4096 || read(p[0], buf, 4096) != 4096)
                _exit(1);
            if (send(s[0], buf, 100, 0) != 100 || recv(s[1], buf, 100, 0) != 100)
                _exit(1);
            struct stat st {};
            fstat(p[0], &st);
            std::ofstream out(inos);
            out << st.st_ino << ' ';
            fstat(s[0], &st);
            out << st.st_ino;
        },
        child);
    std::ifstream(inos) >> pipe_ino >> sock_ino;
    ASSERT_NE(pipe_ino, 0u);
    const std::string pipe_name = "pipe:[" + std::to_string(pipe_ino) + "]";
    Totals tp = totals(rows, child, pipe_name);
    EXPECT_EQ(tp.file_type, "pipe");
    EXPECT_EQ(tp.write_bytes, 4096u);
    EXPECT_EQ(tp.read_bytes, 4096u);
    const std::string sock_name = "socket:[" + std::to_string(sock_ino) + "]";
    Totals ts = totals(rows, child, sock_name);
    EXPECT_EQ(ts.file_type, "socket");
    EXPECT_EQ(ts.write_bytes, 100u);
}

}  // namespace
}  // namespace kscope::test
