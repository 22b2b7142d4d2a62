// kscope faults against real page faults: touching fresh anonymous pages.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <set>

#include "harness.h"

namespace kscope::test {
namespace {

constexpr size_t kPages = 3000;

TEST(FaultsProbe, CountsAFaultPerFreshPageTouched) {
    REQUIRE_ROOT();
    Kscope k({"faults", "--json", "-i", "0.3", "--top", "0", "-c", "kscope-flt"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t child = spawn([] {
        prctl(PR_SET_NAME, "kscope-flt");
        const size_t len = kPages * 4096;
        auto* p = static_cast<char*>(mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        if (p == MAP_FAILED)
            _exit(2);
        madvise(p, len, MADV_NOHUGEPAGE);  // one fault per page, not one per 2 MiB
        for (size_t i = 0; i < kPages; i++)
            p[i * 4096] = 1;
    });
    ASSERT_EQ(wait_child(child), 0);
    usleep(400'000);
    k.stop();

    uint64_t minor = 0, major = 0;
    for (const auto& r : k.json_lines()) {
        std::set<std::string> keys;
        for (auto it = r.begin(); it != r.end(); ++it)
            keys.insert(it.key());
        EXPECT_EQ(keys, (std::set<std::string>{"type", "ts", "pid", "comm", "minor", "major"})) << r.dump();
        EXPECT_EQ(r["type"], "page_faults");
        EXPECT_EQ(r["pid"], child) << r.dump();  // -c kept everything else out
        EXPECT_EQ(r["comm"], "kscope-flt");
        minor += r["minor"].get<uint64_t>();
        major += r["major"].get<uint64_t>();
    }
    EXPECT_GE(minor, kPages) << k.stdout_text();
    // Plus the few of a forked child's own start, nowhere near twice as many.
    EXPECT_LT(minor, 2 * kPages) << k.stdout_text();
}

}  // namespace
}  // namespace kscope::test
