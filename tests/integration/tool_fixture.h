// A test suite that shares one `kscope <tool> --json` run: started before the first
// test, stopped after the last; each test finds its own events by its children's pids.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "harness.h"
#include "wait_util.h"

namespace kscope::test {

template <const char* Tool>
class SharedToolTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (geteuid() == 0)
            kscope_ = new Kscope({Tool, "--json"});
    }
    static void TearDownTestSuite() {
        delete kscope_;
        kscope_ = nullptr;
    }
    void SetUp() override {
        if (geteuid() != 0)
            GTEST_SKIP() << "SKIPPED: integration tests load BPF programs and need root";
        ASSERT_TRUE(kscope_ && kscope_->ready()) << (kscope_ ? kscope_->stderr_text() : "");
    }

    // The events of type from pid, once there are at least n (waits up to 5 s).
    static std::vector<nlohmann::json> events(const std::string& type, pid_t pid, size_t n = 1) {
        std::vector<nlohmann::json> found;
        eventually([&] {
            found = events_for(complete_json_lines(*kscope_), type, pid);
            return found.size() >= n;
        }, std::chrono::milliseconds(5000));
        return found;
    }
    // The only event of type from pid.
    static nlohmann::json event(const std::string& type, pid_t pid) {
        auto found = events(type, pid);
        EXPECT_EQ(found.size(), 1u) << kscope_->stdout_text();
        return found.empty() ? nlohmann::json() : found[0];
    }
    // A child of this test, single-threaded, named comm.
    static void expect_common(const nlohmann::json& e, pid_t pid, const char* comm) {
        EXPECT_EQ(e["pid"], pid) << e.dump();
        EXPECT_EQ(e["tid"], pid) << e.dump();
        EXPECT_EQ(e["ppid"], getpid()) << e.dump();
        EXPECT_EQ(e["comm"], comm) << e.dump();
    }

    static inline Kscope* kscope_ = nullptr;
};

// A table's header line and its first row.
struct FirstRow {
    std::string header, row;
};
inline FirstRow first_row(const std::string& out) {
    auto nl = out.find('\n');
    if (nl == std::string::npos) return {out, ""};
    return {out.substr(0, nl), out.substr(nl + 1, out.find('\n', nl + 1) - nl - 1)};
}

inline std::string hex(uint64_t v) {
    char buf[32];
    snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

}  // namespace kscope::test
