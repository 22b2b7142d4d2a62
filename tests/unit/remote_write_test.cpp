#include <gtest/gtest.h>
#include <snappy.h>

#include "exporters/remote_write.h"
#include "remote_write.pb.h"

namespace kscope {
namespace {

TEST(RemoteWrite, RequestIsSnappyProtobufWithSortedLabels) {
    std::vector<MetricSample> samples = {{"kscope_events_total", {{"probe", "exec"}}, 25},
                                         {"kscope_queue_depth", {}, 0}};
    std::string body = encode_write_request(samples, {{"job", "kscope"}, {"instance", "h1"}}, 1700000000123);
    std::string raw;
    ASSERT_TRUE(snappy::Uncompress(body.data(), body.size(), &raw));
    prometheus::WriteRequest req;
    ASSERT_TRUE(req.ParseFromString(raw));
    ASSERT_EQ(req.timeseries_size(), 2);
    const auto& ts = req.timeseries(0);
    ASSERT_EQ(ts.labels_size(), 4);
    EXPECT_EQ(ts.labels(0).name(), "__name__");
    EXPECT_EQ(ts.labels(0).value(), "kscope_events_total");
    EXPECT_EQ(ts.labels(1).name(), "instance");
    EXPECT_EQ(ts.labels(2).name(), "job");
    EXPECT_EQ(ts.labels(3).name(), "probe");
    EXPECT_EQ(ts.labels(3).value(), "exec");
    ASSERT_EQ(ts.samples_size(), 1);
    EXPECT_EQ(ts.samples(0).value(), 25);
    EXPECT_EQ(ts.samples(0).timestamp(), 1700000000123);
    EXPECT_EQ(req.timeseries(1).labels_size(), 3);
}

TEST(RemoteWrite, Urls) {
    auto u = parse_http_url("http://127.0.0.1:9090/api/v1/write");
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->origin, "http://127.0.0.1:9090");
    EXPECT_EQ(u->path, "/api/v1/write");
    EXPECT_EQ(parse_http_url("https://vm.example")->path, "/");
    EXPECT_FALSE(parse_http_url("ftp://x/y").ok());
    EXPECT_FALSE(parse_http_url("127.0.0.1:9090").ok());
    EXPECT_FALSE(parse_http_url("http:///x").ok());
}

}  // namespace
}  // namespace kscope
