// Flags -> session options: what reaches the kernel filters, and what is refused.
#include <gtest/gtest.h>

#include <unistd.h>

#include "cli/common_flags.h"

namespace kscope {
namespace {

Result<SessionOptions> parse(std::vector<std::string> args, CommonFlags& flags) {
    CLI::App app;
    add_common_flags(app, flags, "only failures");
    std::reverse(args.begin(), args.end());  // CLI11 takes them reversed
    app.parse(args);
    return session_options(flags);
}

TEST(CommonFlags, FiltersReachTheProbeOptions) {
    CommonFlags f;
    auto o = parse({"-p", "10,20", "-p", "30", "-c", "bash", "-x", "--count", "5", "--duration", "1.5",
                    "--allow-missing-pid"},
                   f);
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->probe.filter.pids, (std::vector<uint32_t>{10, 20, 30}));
    EXPECT_EQ(o->probe.filter.comms, (std::vector<std::string>{"bash"}));
    EXPECT_TRUE(o->probe.filter.failures_only);
    EXPECT_FALSE(o->probe.filter.cgroup.has_value());
    EXPECT_EQ(o->max_events, 5u);
    ASSERT_TRUE(o->duration.has_value());
    EXPECT_DOUBLE_EQ(o->duration->count(), 1.5);
    EXPECT_EQ(o->probe.ring_bytes, 1024u * 1024u);
    EXPECT_EQ(o->probe.filter.exclude_pid, uint32_t(getpid()));  // kscope leaves itself out by default
}

TEST(CommonFlags, IncludeSelfKeepsOwnProcess) {
    CommonFlags f;
    auto o = parse({"--include-self"}, f);
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->probe.filter.exclude_pid, 0u);
}

TEST(CommonFlags, MissingPidIsAnErrorUnlessAllowed) {
    const std::string absent = "4194303";  // above any pid_max this machine uses
    CommonFlags f;
    auto o = parse({"-p", absent}, f);
    ASSERT_FALSE(o.ok());
    EXPECT_EQ(o.error().message, "no process has pid 4194303 (add --allow-missing-pid to trace it once it appears)");
    CommonFlags g;
    auto allowed = parse({"-p", absent, "--allow-missing-pid"}, g);
    ASSERT_TRUE(allowed.ok()) << allowed.error().message;
    EXPECT_EQ(allowed->probe.filter.pids, (std::vector<uint32_t>{4194303}));
    CommonFlags h;
    auto self = parse({"-p", std::to_string(getpid())}, h);
    EXPECT_TRUE(self.ok());
}

// The message says what is wrong in words, without CLI11's 300-digit range bound.
std::string validation_message(std::vector<std::string> args) {
    CommonFlags f;
    try {
        (void)parse(std::move(args), f);
    } catch (const CLI::ValidationError& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST(CommonFlags, BadNumbersAreExplainedInWords) {
    for (const char* bad : {"-1", "0", "abc", "nan", "inf", "1.5s"})
        EXPECT_EQ(validation_message({"--duration", bad}),
                  std::string("--duration: '") + bad + "' must be a positive number of seconds (e.g. 1.5)")
            << bad;
    for (const char* bad : {"0", "-3", "1.5", "x"})
        EXPECT_EQ(validation_message({"--count", bad}), std::string("--count: '") + bad + "' must be a whole number above 0")
            << bad;
    EXPECT_EQ(validation_message({"--duration", "0.25"}), "(accepted)");
}

TEST(CommonFlags, NoFailuresFlagWhereTheToolHasNone) {
    CLI::App app;
    CommonFlags f;
    add_common_flags(app, f, "");
    std::vector<std::string> args{"-x"};
    EXPECT_THROW(app.parse(args), CLI::ExtrasError);
}

TEST(CommonFlags, RefusesBadValues) {
    {
        CommonFlags f;
        auto o = parse({"-c", "a-name-longer-than-15"}, f);
        ASSERT_FALSE(o.ok());
        EXPECT_NE(o.error().message.find("1 to 15 characters"), std::string::npos);
    }
    {
        CommonFlags f;
        auto o = parse({"--cgroup", "/definitely/not/a/cgroup"}, f);
        ASSERT_FALSE(o.ok());
        EXPECT_NE(o.error().message.find("no such cgroup"), std::string::npos);
    }
    CommonFlags f;
    EXPECT_THROW(parse({"--ring-kib", "100"}, f), CLI::ValidationError);  // not a power of two
    EXPECT_THROW(parse({"-p", "x"}, f), CLI::ConversionError);
    EXPECT_THROW(parse({"--count", "0"}, f), CLI::ValidationError);
}

}  // namespace
}  // namespace kscope
