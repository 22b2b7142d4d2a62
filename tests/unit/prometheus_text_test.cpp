#include <gtest/gtest.h>

#include <array>

#include "metrics/prometheus_text.h"

namespace kscope {
namespace {

TEST(PrometheusText, FamiliesSamplesAndEscaping) {
    PrometheusText m;
    m.family("kscope_x_total", "counter", "things").sample("kscope_x_total", {{"comm", "a\"b\\c\nd"}}, 3);
    m.family("kscope_x_total", "counter", "things").sample("kscope_x_total", {{"comm", "e"}}, 0.5);
    m.family("kscope_g", "gauge", "a gauge").sample("kscope_g", 1e20);
    EXPECT_EQ(m.text(),
              "# HELP kscope_x_total things\n# TYPE kscope_x_total counter\n"
              "kscope_x_total{comm=\"a\\\"b\\\\c\\nd\"} 3\n"
              "kscope_x_total{comm=\"e\"} 0.5\n"
              "# HELP kscope_g a gauge\n# TYPE kscope_g gauge\n"
              "kscope_g 1e+20\n");
}

TEST(PrometheusText, Log2HistogramIsCumulativeInSeconds) {
    std::array<uint64_t, 48> slots{};
    slots[3] = 2;   // 8..15 ns: below the first bucket, counted in it
    slots[10] = 5;  // 1024..2047 ns -> le 2.048e-06
    slots[40] = 1;  // past the last bucket: only in +Inf
    PrometheusText m;
    m.log2_histogram("lat_seconds", {{"probe", "dns"}}, slots, 12345);
    const std::string& t = m.text();
    EXPECT_NE(t.find("lat_seconds_bucket{probe=\"dns\",le=\"1.024e-06\"} 2\n"), std::string::npos) << t;
    EXPECT_NE(t.find("lat_seconds_bucket{probe=\"dns\",le=\"2.048e-06\"} 7\n"), std::string::npos) << t;
    EXPECT_NE(t.find("lat_seconds_bucket{probe=\"dns\",le=\"34.359738368\"} 7\n"), std::string::npos) << t;
    EXPECT_NE(t.find("lat_seconds_bucket{probe=\"dns\",le=\"+Inf\"} 8\n"), std::string::npos) << t;
    EXPECT_NE(t.find("lat_seconds_sum{probe=\"dns\"} 1.2345e-05\n"), std::string::npos) << t;
    EXPECT_NE(t.find("lat_seconds_count{probe=\"dns\"} 8\n"), std::string::npos) << t;
}

}  // namespace
}  // namespace kscope
