// kscope biolat and biotop against a real loop device made by the test: exact counts,
// bytes and attribution of O_DIRECT reads.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <memory>
#include <set>
#include <string>

#include "harness.h"

namespace kscope::test {
namespace {

std::string run_output(const std::string& cmd) {
    std::string out;
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
    if (!p)
        return out;
    std::array<char, 256> buf;
    while (fgets(buf.data(), buf.size(), p.get()))
        out += buf.data();
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}

// A loop device over a file in /tmp, detached and removed at the end. Attached before
// kscope starts and left to settle, so the kernel's and udev's own first reads of a new
// disk are not counted.
class LoopDevice {
public:
    LoopDevice() : dir_("kscope-loop") {
        file_ = dir_.path() + "/disk.img";
        if (system(("truncate -s 16M " + file_).c_str()) != 0)
            return;
        dev_ = run_output("losetup --find --show " + file_ + " 2>/dev/null");
        if (dev_.rfind("/dev/loop", 0) == 0)
            name_ = dev_.substr(5);
        if (system("command -v udevadm >/dev/null && udevadm settle -t 5 2>/dev/null") != 0) {
        }
        usleep(200'000);
    }
    ~LoopDevice() {
        if (!dev_.empty())
            (void)system(("losetup -d " + dev_).c_str());
    }
    bool ok() const { return !name_.empty(); }
    const std::string& dev() const { return dev_; }
    const std::string& name() const { return name_; }  // "loop3"

private:
    TempDir dir_;
    std::string file_, dev_, name_;
};

constexpr int kReads = 64;

// A child named kscope-bio that makes kReads O_DIRECT 4 KiB reads of dev, at distinct
// offsets (nothing to merge), then exits.
pid_t direct_reader(const std::string& dev) {
    return spawn([dev] {
        prctl(PR_SET_NAME, "kscope-bio");
        int fd = open(dev.c_str(), O_RDONLY | O_DIRECT);
        if (fd < 0)
            _exit(2);
        void* buf = nullptr;
        if (posix_memalign(&buf, 4096, 4096))
            _exit(3);
        for (int i = 0; i < kReads; i++)
            if (pread(fd, buf, 4096, off_t(i) * 2 * 4096) != 4096)
                _exit(4);
        close(fd);
    });
}

std::set<std::string> keys_of(const nlohmann::json& j) {
    std::set<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it)
        keys.insert(it.key());
    return keys;
}

TEST(BiolatProbe, CountsEveryDirectReadOfALoopDevice) {
    REQUIRE_ROOT();
    LoopDevice loop;
    ASSERT_TRUE(loop.ok()) << "losetup failed";
    Kscope k({"biolat", "--json", "-i", "0.3"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t reader = direct_reader(loop.dev());
    ASSERT_EQ(wait_child(reader), 0);
    usleep(400'000);
    k.stop();

    uint64_t count = 0, bytes = 0;
    const std::set<std::string> keys = {"type",   "ts",           "disk",         "op",           "count",
                                        "bytes",  "p50_ns",       "p99_ns",       "max_ns",       "queue_p50_ns",
                                        "queue_p99_ns", "device_p50_ns", "device_p99_ns", "buckets"};
    for (const auto& r : k.json_lines()) {
        EXPECT_EQ(r["type"], "block_io_latency");
        EXPECT_EQ(keys_of(r), keys) << r.dump();
        if (r["disk"] != loop.name())
            continue;
        EXPECT_EQ(r["op"], "read") << r.dump();  // nothing else touched the disk
        count += r["count"].get<uint64_t>();
        bytes += r["bytes"].get<uint64_t>();
        uint64_t in_buckets = 0;
        for (const auto& b : r["buckets"])
            in_buckets += b[1].get<uint64_t>();
        EXPECT_EQ(in_buckets, r["count"].get<uint64_t>());
        EXPECT_GT(r["p50_ns"].get<uint64_t>(), 0u);
        EXPECT_LE(r["p50_ns"].get<uint64_t>(), r["p99_ns"].get<uint64_t>());
        EXPECT_LE(r["p99_ns"].get<uint64_t>(), r["max_ns"].get<uint64_t>());
        // Queue time is part of the whole.
        EXPECT_LE(r["queue_p50_ns"].get<uint64_t>(), r["max_ns"].get<uint64_t>());
        EXPECT_GT(r["device_p50_ns"].get<uint64_t>(), 0u);
    }
    EXPECT_EQ(count, uint64_t(kReads)) << k.stdout_text();
    EXPECT_EQ(bytes, uint64_t(kReads) * 4096);
}

TEST(BiolatProbe, CommFilterSelectsTheSubmitter) {
    REQUIRE_ROOT();
    LoopDevice loop;
    ASSERT_TRUE(loop.ok()) << "losetup failed";
    // With a filter the submitter is taken at block_io_start; the loop driver completes
    // the reads in its own worker, which must not matter.
    Kscope chosen({"biolat", "--json", "-i", "0.3", "-c", "kscope-bio"});
    Kscope other({"biolat", "--json", "-i", "0.3", "-c", "kscope-nobody"});
    ASSERT_TRUE(chosen.ready()) << chosen.stderr_text();
    ASSERT_TRUE(other.ready()) << other.stderr_text();
    ASSERT_EQ(wait_child(direct_reader(loop.dev())), 0);
    usleep(400'000);
    chosen.stop();
    other.stop();
    uint64_t count = 0;
    for (const auto& r : chosen.json_lines()) {
        EXPECT_EQ(r["disk"], loop.name()) << r.dump();
        EXPECT_EQ(r["op"], "read") << r.dump();
        count += r["count"].get<uint64_t>();
    }
    EXPECT_EQ(count, uint64_t(kReads)) << chosen.stdout_text();
    EXPECT_EQ(other.json_lines().size(), 0u) << other.stdout_text();
}

TEST(BiotopProbe, CreditsDirectReadsToTheReadingProcess) {
    REQUIRE_ROOT();
    LoopDevice loop;
    ASSERT_TRUE(loop.ok()) << "losetup failed";
    Kscope k({"biotop", "--json", "-i", "0.3", "--top", "0"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t reader = direct_reader(loop.dev());
    ASSERT_EQ(wait_child(reader), 0);
    usleep(400'000);
    k.stop();

    uint64_t ops = 0, reads = 0, read_bytes = 0, others = 0;
    const std::set<std::string> keys = {"type",  "ts",         "pid",         "comm",          "disk",  "ops",
                                        "reads", "writes",     "bytes",       "read_bytes",    "write_bytes",
                                        "avg_latency_ns"};
    for (const auto& r : k.json_lines()) {
        EXPECT_EQ(r["type"], "block_io_process");
        EXPECT_EQ(keys_of(r), keys) << r.dump();
        if (r["disk"] != loop.name())
            continue;
        if (r["pid"] != reader) {
            others += r["ops"].get<uint64_t>();
            continue;
        }
        EXPECT_EQ(r["comm"], "kscope-bio");
        EXPECT_EQ(r["writes"], 0);
        EXPECT_GT(r["avg_latency_ns"].get<uint64_t>(), 0u);
        ops += r["ops"].get<uint64_t>();
        reads += r["reads"].get<uint64_t>();
        read_bytes += r["read_bytes"].get<uint64_t>();
    }
    EXPECT_EQ(ops, uint64_t(kReads)) << k.stdout_text();
    EXPECT_EQ(reads, uint64_t(kReads));
    EXPECT_EQ(read_bytes, uint64_t(kReads) * 4096);
    EXPECT_EQ(others, 0u) << "I/O on the loop device credited to another process:\n" << k.stdout_text();
}

}  // namespace
}  // namespace kscope::test
