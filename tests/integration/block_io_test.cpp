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
#include "loop_device.h"

namespace kscope::test {
namespace {

constexpr int kReads = 64;

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
    pid_t reader = direct_reader(loop.dev(), kReads);
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
    ASSERT_EQ(wait_child(direct_reader(loop.dev(), kReads)), 0);
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
    pid_t reader = direct_reader(loop.dev(), kReads);
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
