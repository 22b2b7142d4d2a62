#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "profile/kernel_symbols.h"
#include "profile/perf_map.h"
#include "profile/symbolizer.h"
#include "profile_test_util.h"

namespace kscope {
namespace {

constexpr const char* kKallsyms =
    "ffffffff81000000 T _stext\n"
    "ffffffff81000000 T startup_64\n"
    "ffffffff81000100 t helper_local\n"
    "ffffffff81000200 D some_data\n"  // data: not a function
    "ffffffff81000300 W weak_function\n"
    "ffffffffc0a00000 t ext4_fill_super\t[ext4]\n"
    "ffffffffc0a00400 T ext4_write_begin\t[ext4]\n"
    "garbage line\n";

TEST(ProfileKernelSymbols, ParsesTextSymbolsAndModules) {
    KernelSymbols k = KernelSymbols::parse(kKallsyms);
    EXPECT_EQ(k.size(), 6u);
    EXPECT_EQ(k.find(0xffffffff81000000)->name, "_stext");  // the first of aliases
    EXPECT_EQ(k.find(0xffffffff810000ff)->name, "_stext");
    EXPECT_EQ(k.find(0xffffffff81000100)->name, "helper_local");
    EXPECT_EQ(k.find(0xffffffff81000250)->name, "helper_local");  // data symbols are skipped
    EXPECT_EQ(k.find(0xffffffff81000300)->name, "weak_function");
    const KernelSymbol* m = k.find(0xffffffffc0a00010);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->name, "ext4_fill_super");
    EXPECT_EQ(m->module, "ext4");
    EXPECT_EQ(k.find(0xffffffff80ffffff), nullptr);
}

TEST(ProfileKernelSymbols, HiddenAddressesGiveAnEmptyTable) {
    // kptr_restrict shows zeros to unprivileged readers.
    KernelSymbols k = KernelSymbols::parse("0000000000000000 T _stext\n0000000000000000 t helper\n");
    EXPECT_EQ(k.size(), 0u);
    EXPECT_EQ(k.find(0xffffffff81000000), nullptr);
}

TEST(ProfileKernelSymbols, KernelFramesNamedWithModuleOrHexFallback) {
    testing::TempDir dir;
    std::ofstream(dir / "kallsyms") << kKallsyms;
    SymbolizerOptions opts;
    opts.kallsyms_path = dir / "kallsyms";
    Symbolizer sym(opts);
    Frame f = sym.kernel_frame(0xffffffffc0a00410, false);
    EXPECT_EQ(f.function, "ext4_write_begin");
    EXPECT_EQ(f.module, "[ext4]");
    EXPECT_TRUE(f.kernel);
    EXPECT_TRUE(f.symbolized);
    EXPECT_EQ(sym.kernel_frame(0xffffffff81000100, true).function, "_stext");  // return address
    EXPECT_EQ(sym.kernel_frame(0xffffffff81000100, true).module, kKernelModule);

    SymbolizerOptions none;
    none.kallsyms_path = dir / "missing";
    Symbolizer blind(none);
    Frame b = blind.kernel_frame(0xffffffff81234567, false);
    EXPECT_EQ(b.function, "0xffffffff81234567");
    EXPECT_EQ(b.module, kKernelModule);
    EXPECT_FALSE(b.symbolized);
}

TEST(ProfileKernelSymbols, RealKallsymsWhenReadable) {
    std::ifstream in("/proc/kallsyms");
    std::stringstream text;
    text << in.rdbuf();
    KernelSymbols k = KernelSymbols::parse(text.str());
    if (k.size() == 0)
        GTEST_SKIP() << "SKIPPED: /proc/kallsyms shows no addresses to this user (kptr_restrict); run as root";
    // Find a well-known function's address in the text and look it up.
    std::string s = text.str();
    size_t at = s.find(" T schedule\n");
    ASSERT_NE(at, std::string::npos);
    size_t line = s.rfind('\n', at) + 1;
    uint64_t addr = std::stoull(s.substr(line, at - line), nullptr, 16);
    EXPECT_EQ(k.find(addr)->name, "schedule");
    EXPECT_EQ(k.find(addr + 4)->name, "schedule");
}

TEST(ProfilePerfMap, ParsesHexWithAndWithoutPrefixAndSkipsBadLines) {
    PerfMap m = PerfMap::parse(
        "1000 10 first\n"
        "0x2000 0x20 second with spaces\r\n"
        "nonsense\n"
        "3000 0 zero_size\n"
        "4000 10\n"
        "1000 8 first_recompiled\n");
    EXPECT_EQ(m.size(), 2u);
    EXPECT_EQ(m.find(0x1004)->name, "first_recompiled");  // the later entry wins
    EXPECT_EQ(m.find(0x1008), nullptr);
    EXPECT_EQ(m.find(0x201f)->name, "second with spaces");
    EXPECT_EQ(m.find(0x2020), nullptr);
    EXPECT_EQ(m.find(0x3000), nullptr);
    EXPECT_EQ(m.find(0xfff), nullptr);
}

}  // namespace
}  // namespace kscope
