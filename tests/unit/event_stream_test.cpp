// The live stream's fan-out: filters, and thinning by type for displays (alerts never).
#include <gtest/gtest.h>

#include "server/event_stream.h"

namespace kscope {
namespace {

Event exec_event(uint32_t pid) {
    ExecEvent e;
    e.common.pid = pid;
    e.common.comm = "sh";
    return e;
}

Event open_event(uint32_t pid) {
    OpenEvent e;
    e.common.pid = pid;
    e.common.comm = "cat";
    return e;
}

size_t drain(Subscription& s, std::map<std::string, size_t>& by_type) {
    size_t n = 0;
    while (auto e = s.pop(std::chrono::milliseconds(0))) {
        by_type[e->type]++;
        n++;
    }
    return n;
}

TEST(EventStream, ThinsEachTypeToItsRateButNeverAlerts) {
    EventBroadcaster b;
    auto thin = b.subscribe({}, 4096, 5);
    auto all = b.subscribe({});
    for (uint32_t i = 0; i < 20; i++) {
        b.write_json(exec_event(i), "{}");
        b.write_json(open_event(i), "{}");
    }
    AlertEvent a;
    a.rule = "r";
    for (int i = 0; i < 7; i++)
        b.write_json(a, "{}");
    std::map<std::string, size_t> got, every;
    EXPECT_EQ(drain(*thin, got), 17u);
    EXPECT_EQ(got["exec"], 5u);  // an open storm does not starve the execs
    EXPECT_EQ(got["open"], 5u);
    EXPECT_EQ(got["alert"], 7u);
    EXPECT_EQ(thin->thinned(), 30u);
    EXPECT_EQ(thin->dropped(), 0u);  // thinning is not a loss
    EXPECT_EQ(drain(*all, every), 47u);
    EXPECT_EQ(all->thinned(), 0u);
    EXPECT_EQ(b.dropped(), 0u);
}

TEST(EventStream, FiltersApplyBeforeThinning) {
    EventBroadcaster b;
    EventQuery q;
    q.comm = "sh";
    auto s = b.subscribe(q, 4096, 3);
    for (uint32_t i = 0; i < 10; i++) {
        b.write_json(open_event(i), "{}");  // filtered out: neither delivered nor thinned
        b.write_json(exec_event(i), "{}");
    }
    std::map<std::string, size_t> got;
    EXPECT_EQ(drain(*s, got), 3u);
    EXPECT_EQ(got["exec"], 3u);
    EXPECT_EQ(s->thinned(), 7u);
}

}  // namespace
}  // namespace kscope
