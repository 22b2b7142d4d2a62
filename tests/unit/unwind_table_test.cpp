// Unwind tables from real binaries' .eh_frame: this test binary, libc and Chromium.
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include "profile/unwind_table.h"

extern "C" char _start[];

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KSCOPE_UNDER_ASAN 1
#endif
#endif

namespace kscope {
namespace {

// The file virtual address of code at addr in this process (for a file whose first
// segment is at virtual address 0: PIE executables and shared libraries).
uint64_t file_vaddr(const void* addr, std::string& path) {
    Dl_info info{};
    EXPECT_NE(dladdr(addr, &info), 0);
    path = info.dli_fname;
    return reinterpret_cast<uint64_t>(addr) - reinterpret_cast<uint64_t>(info.dli_fbase);
}

// A function of our own whose entry we know.
__attribute__((noinline)) int leaf_function(int x) { return x * 3 + 1; }

TEST(UnwindTable, EntryPointsAndOutermostFrame) {
    std::string self;
    const uint64_t entry = file_vaddr(reinterpret_cast<void*>(&leaf_function), self);
    auto table = build_unwind_table("/proc/self/exe");
    ASSERT_TRUE(table.ok()) << table.error().message;
    ASSERT_GT(table->rules.size(), 100u);
    // At a function's first instruction the CFA is always rsp + 8 (the return address).
    const UnwindRule* r = find_rule(*table, entry);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->cfa_kind, KSCOPE_CFA_RSP);
    EXPECT_EQ(r->cfa_offset, 8);
    // _start says the return address is undefined: the stack ends there.
    std::string ignored;
    const UnwindRule* start = find_rule(*table, file_vaddr(_start, ignored));
    ASSERT_NE(start, nullptr);
    EXPECT_EQ(start->cfa_kind, KSCOPE_CFA_END);
    // Sorted, no two equal neighbours, rows relative to the base.
    for (size_t i = 1; i < table->rules.size(); i++) {
        EXPECT_LT(table->rules[i - 1].pc, table->rules[i].pc);
        UnwindRule a = table->rules[i - 1];
        a.pc = table->rules[i].pc;
        EXPECT_FALSE(a == table->rules[i]) << "unmerged rules at " << std::hex << a.pc;
    }
    auto rows = unwind_rows(*table);
    ASSERT_EQ(rows.size(), table->rules.size());
    EXPECT_EQ(rows[0].pc_offset, 0u);
    EXPECT_EQ(rows.back().pc_offset, table->rules.back().pc - table->base);
}

TEST(UnwindTable, LibcHasStackAndPltRules) {
#ifdef KSCOPE_UNDER_ASAN
    GTEST_SKIP() << "SKIPPED: under AddressSanitizer &qsort is the sanitizer's interceptor, not libc's (runs in build/)";
#endif
    std::string libc;
    const uint64_t qsort_at = file_vaddr(reinterpret_cast<void*>(&qsort), libc);
    ASSERT_NE(libc.find("libc"), std::string::npos) << libc;
    auto table = build_unwind_table(libc);
    ASSERT_TRUE(table.ok()) << table.error().message;
    const UnwindRule* r = find_rule(*table, qsort_at);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->cfa_kind, KSCOPE_CFA_RSP);
    EXPECT_EQ(r->cfa_offset, 8);
    size_t by_kind[6] = {};
    for (const auto& rule : table->rules)
        by_kind[rule.cfa_kind]++;
    // Nearly everything is rsp-based (no frame pointers); the PLT has its expression;
    // some functions save rbp and so have rbp rules.
    EXPECT_GT(by_kind[KSCOPE_CFA_RSP], 10000u);
    EXPECT_GE(by_kind[KSCOPE_CFA_PLT], 1u);
    size_t rbp_saved = 0;
    for (const auto& rule : table->rules)
        rbp_saved += rule.rbp_rule == KSCOPE_RBP_AT_CFA;
    EXPECT_GT(rbp_saved, 1000u);
    // Unsupported rules are the rare exception (signal trampolines and the like).
    EXPECT_LT(table->unsupported, 20u);
}

// Jumping over code without CFI by the FDE index gives the same table as walking it byte
// by byte; on a binary with much code and little CFI (Chromium's) it takes seconds, not
// minutes (the profiler stalled that long when Chromium started).
TEST(UnwindTable, FdeIndexGivesTheSameTableFaster) {
    std::string libc;
    file_vaddr(reinterpret_cast<void*>(&qsort), libc);
    auto indexed = build_unwind_table(libc);
    auto walked = build_unwind_table(libc, /*use_fde_index=*/false);
    ASSERT_TRUE(indexed.ok() && walked.ok());
    ASSERT_EQ(indexed->rules.size(), walked->rules.size());
    for (size_t i = 0; i < walked->rules.size(); i++) {
        ASSERT_EQ(indexed->rules[i], walked->rules[i]) << "rule " << i << " at 0x" << std::hex << walked->rules[i].pc;
    }
    EXPECT_EQ(indexed->base, walked->base);
    EXPECT_EQ(indexed->unsupported, walked->unsupported);
    const char* chromium = "/usr/lib/chromium/chromium";
    if (access(chromium, R_OK) != 0)
        GTEST_SKIP() << "SKIPPED (the libc half ran): no " << chromium << " for the big-binary half; scripts/bootstrap installs it";
    const auto start = std::chrono::steady_clock::now();
    auto big = build_unwind_table(chromium);
    const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(big.ok()) << big.error().message;
    EXPECT_GT(big->rules.size(), 1000u);
    EXPECT_LT(took, 20.0) << "building Chromium's unwind table";
}

TEST(UnwindTable, RefusesWhatIsNotElf) {
    auto t = build_unwind_table("/etc/hostname");
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.error().message.find("not an ELF file"), std::string::npos) << t.error().message;
    EXPECT_FALSE(build_unwind_table("/no/such/file").ok());
}

}  // namespace
}  // namespace kscope
