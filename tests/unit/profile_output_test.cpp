#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "profile/profile_output.h"
#include "profile_test_util.h"

namespace kscope {
namespace {

using testing::user_frame;

SymbolizedStack stack(uint32_t pid, uint32_t tid, const std::string& comm, std::vector<Frame> frames, uint64_t count) {
    return SymbolizedStack{pid, tid, comm, std::move(frames), count};
}

// sample_stacks() and a stack with no count (ignored). Total 20.
std::vector<SymbolizedStack> samples() {
    std::vector<SymbolizedStack> s = testing::sample_stacks();
    s.push_back(stack(100, 100, "app", {user_frame("main", 0x555555555100)}, 0));
    return s;
}

TEST(ProfileFolded, ExactLinesMergedAndSorted) {
    EXPECT_EQ(write_folded(fold(samples())),
              "app;main;run;hot_loop 10\n"
              "app;main;run;write_out;entry_SYSCALL_64_[k];ksys_write_[k] 4\n"
              "swapper/0;secondary_startup_64_[k];cpu_idle_[k] 6\n");
}

TEST(ProfileFolded, SeparatorsInNamesAreReplaced) {
    auto s = stack(1, 1, "", {user_frame("operator;weird\nname", 0x1000)}, 2);
    EXPECT_EQ(write_folded(fold({s})), "[unknown];operator:weird name 2\n");
}

TEST(ProfileFolded, ParsesBackAndReportsBadLines) {
    const FoldedProfile folded = fold(samples());
    auto back = parse_folded(write_folded(folded));
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, folded);
    // Names with spaces (demangled C++) keep them; the count is after the last space.
    auto spaced = parse_folded("app;foo(int, long) const;bar 3\r\n\napp;foo(int, long) const;bar 2\n");
    ASSERT_TRUE(spaced.ok());
    EXPECT_EQ(spaced->at("app;foo(int, long) const;bar"), 5u);
    auto bad = parse_folded("a;b 1\na;c\n");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error().message, "line 2: expected 'stack COUNT'");
    EXPECT_EQ(parse_folded("a;b x1\n").error().message, "line 1: 'x1' is not a whole-number count");
    EXPECT_FALSE(parse_folded("a;b -3\n").ok());
}

TEST(ProfileJson, OneObjectPerUniqueStackBusiestFirst) {
    EXPECT_EQ(write_profile_json(samples()),
              R"({"type":"profile_stack","pid":100,"comm":"app","count":10,"frames":[)"
              R"({"function":"main","module":"/usr/bin/app","address":"0x555555555100","kernel":false},)"
              R"({"function":"run","module":"/usr/bin/app","address":"0x555555555200","kernel":false},)"
              R"({"function":"hot_loop","module":"/usr/bin/app","address":"0x555555555310","kernel":false}]})"
              "\n"
              R"({"type":"profile_stack","pid":0,"comm":"swapper/0","count":6,"frames":[)"
              R"({"function":"secondary_startup_64","module":"[kernel.kallsyms]","address":"0xffffffff81000100","kernel":true},)"
              R"({"function":"cpu_idle","module":"[kernel.kallsyms]","address":"0xffffffff81100040","kernel":true}]})"
              "\n"
              R"({"type":"profile_stack","pid":100,"comm":"app","count":4,"frames":[)"
              R"({"function":"main","module":"/usr/bin/app","address":"0x555555555100","kernel":false},)"
              R"({"function":"run","module":"/usr/bin/app","address":"0x555555555200","kernel":false},)"
              R"({"function":"write_out","module":"/usr/bin/app","address":"0x555555555400","kernel":false},)"
              R"({"function":"entry_SYSCALL_64","module":"[kernel.kallsyms]","address":"0xffffffff82000050","kernel":true},)"
              R"({"function":"ksys_write","module":"[kernel.kallsyms]","address":"0xffffffff81300020","kernel":true}]})"
              "\n");
    std::istringstream lines(write_profile_json(samples()));
    std::string line;
    while (std::getline(lines, line)) {
        nlohmann::json j = nlohmann::json::parse(line);
        EXPECT_EQ(j["type"], "profile_stack");
    }
}

TEST(ProfileTable, TopFunctionsBySelfThenTotal) {
    TopFunctions top = top_functions(samples());
    EXPECT_EQ(top.total, 20u);
    EXPECT_EQ(write_top_table(top),
              "      SELF   SELF%      TOTAL  TOTAL%  MODULE               FUNCTION\n"
              "        10  50.00%         10  50.00%  app                  hot_loop\n"
              "         6  30.00%          6  30.00%  [kernel.kallsyms]    cpu_idle [k]\n"
              "         4  20.00%          4  20.00%  [kernel.kallsyms]    ksys_write [k]\n"
              "         0   0.00%         14  70.00%  app                  main\n"
              "         0   0.00%         14  70.00%  app                  run\n"
              "         0   0.00%          6  30.00%  [kernel.kallsyms]    secondary_startup_64 [k]\n"
              "         0   0.00%          4  20.00%  [kernel.kallsyms]    entry_SYSCALL_64 [k]\n"
              "         0   0.00%          4  20.00%  app                  write_out\n");
    EXPECT_EQ(write_top_table(top, 2),
              "      SELF   SELF%      TOTAL  TOTAL%  MODULE               FUNCTION\n"
              "        10  50.00%         10  50.00%  app                  hot_loop\n"
              "         6  30.00%          6  30.00%  [kernel.kallsyms]    cpu_idle [k]\n");
}

TEST(ProfileTable, RecursionCountsOncePerStack) {
    auto rec = user_frame("recurse", 0x555555555500);
    TopFunctions top = top_functions({stack(1, 1, "r", {user_frame("main", 0x555555555100), rec, rec, rec}, 2)});
    ASSERT_EQ(top.rows.size(), 2u);
    EXPECT_EQ(top.rows[0], (FunctionRow{"recurse", "/usr/bin/app", false, 2, 2}));
    EXPECT_EQ(top.rows[1], (FunctionRow{"main", "/usr/bin/app", false, 0, 2}));
}

}  // namespace
}  // namespace kscope
