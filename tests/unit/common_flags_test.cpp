// Flags -> session options: what reaches the kernel filters, and what is refused.
#include <gtest/gtest.h>

#include "cli/common_flags.h"

namespace kscope {
namespace {

Result<SessionOptions> parse(std::vector<std::string> args, CommonFlags& flags) {
    CLI::App app;
    add_common_flags(app, flags);
    std::reverse(args.begin(), args.end());  // CLI11 takes them reversed
    app.parse(args);
    return session_options(flags);
}

TEST(CommonFlags, FiltersReachTheProbeOptions) {
    CommonFlags f;
    auto o = parse({"-p", "10,20", "-p", "30", "-c", "bash", "-x", "--count", "5", "--duration", "1.5"}, f);
    ASSERT_TRUE(o.ok()) << o.error().message;
    EXPECT_EQ(o->probe.filter.pids, (std::vector<uint32_t>{10, 20, 30}));
    EXPECT_EQ(o->probe.filter.comms, (std::vector<std::string>{"bash"}));
    EXPECT_TRUE(o->probe.filter.failures_only);
    EXPECT_FALSE(o->probe.filter.cgroup.has_value());
    EXPECT_EQ(o->max_events, 5u);
    ASSERT_TRUE(o->duration.has_value());
    EXPECT_DOUBLE_EQ(o->duration->count(), 1.5);
    EXPECT_EQ(o->probe.ring_bytes, 1024u * 1024u);
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
