// The agent's YAML configuration: good files apply every field; bad ones are errors that
// name file:line:column and the key.
#include <gtest/gtest.h>

#include "agent/config.h"

namespace kscope {
namespace {

TEST(AgentConfig, EmptyMeansDefaults) {
    auto c = parse_agent_config("", "agent.yaml");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->listen, "127.0.0.1:9464");
    EXPECT_EQ(c->data_dir, "/var/lib/kscope");
    EXPECT_TRUE(c->probes.at("exec").enabled);
    EXPECT_FALSE(c->probes.at("open").enabled);
    EXPECT_TRUE(c->store_enabled);
    EXPECT_TRUE(c->profiling.enabled);
    EXPECT_EQ(c->profiling.frequency_hz, 19u);
}

TEST(AgentConfig, FullFileApplies) {
    auto c = parse_agent_config(R"(
probes:
  exec:
    comms: [bash, curl]
    failures_only: true
  open: {enabled: true, pids: [1, 42]}
  dns: {ports: [53, 5353]}
  tcp: false
http:
  listen: 0.0.0.0:9500
store:
  data_dir: /tmp/ks
  max_age: 2d
  max_size: 64MiB
log: {level: debug, format: json}
ring_kib: 256
)",
                                "agent.yaml");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_EQ(c->probes.at("exec").comms, (std::vector<std::string>{"bash", "curl"}));
    EXPECT_TRUE(c->probes.at("exec").failures_only);
    EXPECT_TRUE(c->probes.at("open").enabled);
    EXPECT_EQ(c->probes.at("open").pids, (std::vector<uint32_t>{1, 42}));
    EXPECT_EQ(c->probes.at("dns").ports, (std::vector<uint16_t>{53, 5353}));
    EXPECT_FALSE(c->probes.at("tcp").enabled);
    EXPECT_EQ(c->listen, "0.0.0.0:9500");
    EXPECT_EQ(c->data_dir, "/tmp/ks");
    EXPECT_EQ(c->retention.max_age_s, 2u * 86400);
    EXPECT_EQ(c->retention.max_bytes, 64u << 20);
    EXPECT_EQ(c->log_level, "debug");
    EXPECT_EQ(c->log_format, "json");
    EXPECT_EQ(c->ring_kib, 256u);
}

void expect_error(const char* yaml, const std::string& where, const std::string& what) {
    auto c = parse_agent_config(yaml, "agent.yaml");
    ASSERT_FALSE(c.ok()) << yaml;
    EXPECT_EQ(c.error().message.rfind("agent.yaml:" + where + ": ", 0), 0u) << c.error().message;
    EXPECT_NE(c.error().message.find(what), std::string::npos) << c.error().message;
}

TEST(AgentConfig, BadFilesNameThePlace) {
    expect_error("probes:\n  exec:\n    comm: [bash]\n", "3:5", "unknown key 'comm' in probes.exec");
    expect_error("probes:\n  nosuch: {}\n", "2:3", "unknown key 'nosuch' in probes");
    expect_error("htp:\n  listen: x\n", "1:1", "unknown key 'htp'");
    expect_error("http:\n  listen: localhost\n", "2:11", "not ADDRESS:PORT");
    expect_error("store:\n  max_age: soon\n", "2:12", "not a duration");
    expect_error("store:\n  max_size: 12 parsecs\n", "2:13", "not a size");
    expect_error("log:\n  level: loud\n", "2:10", "log.level must be one of");
    expect_error("probes:\n  dns:\n    ports: [53, 70000]\n", "3:12", "out of range");
    expect_error("probes:\n  exec:\n    enabled: maybe\n", "3:14", "not a valid enabled");
    expect_error("probes:\n  exec:\n    pids: 5\n", "3:11", "pids must be a list");
    expect_error("ring_kib: 1000\n", "1:11", "power of two");
    expect_error("probes:\n  open:\n    sample: 0\n", "3:13", "sample must be at least 1");
    expect_error("http:\n  tls_cert: /x.pem\n", "2:3", "http.tls_cert and http.tls_key go together");
    expect_error("remote_write:\n  url: prometheus:9090\n", "2:8", "not an http");
    expect_error("probes: [exec\n", "2:1", "");  // YAML syntax error
    expect_error("probes:\n  exec:\n    cgroup: /no/such/cgroup/here\n", "3:13",
                 "cgroup /no/such/cgroup/here: no such cgroup");
    expect_error("probes:\n  dns:\n    ports: [53, 54, 55, 56, 57]\n", "3:12", "ports takes 1 to 4 ports");
    expect_error("profiling:\n  frequency: 0\n", "2:14", "profiling.frequency must be 1 to 1000");
    expect_error("profiling:\n  rate: 5\n", "2:3", "unknown key 'rate' in profiling");
    expect_error("containers:\n  docker_sockets: [run/docker.sock]\n", "2:19", "is not an absolute path");
    expect_error("rules:\n  mode: strict\n", "2:9", "rules.mode must be enforce or audit");
    expect_error("containers:\n  containerd_sockets: []\n", "2:3", "unknown key 'containerd_sockets' in containers");
    expect_error("anomaly:\n  learn: forever\n", "2:10", "not a duration");
    expect_error("anomaly:\n  rate_threshold: 0.5\n", "2:19", "anomaly.rate_threshold must be 1 to 100");
    expect_error("anomaly:\n  rate_interval: 2h\n", "2:18", "anomaly.rate_interval must be 1s to 1h");
    expect_error("anomaly:\n  peers: true\n", "2:3", "unknown key 'peers' in anomaly");
    expect_error("flood:\n  enabled: true\n", "2:3", "flood.enabled needs flood.interfaces");
    expect_error("flood:\n  interfaces: [lo, nosuch9]\n", "2:15", "no network interface 'nosuch9' here");
    expect_error("flood:\n  mode: fast\n", "2:9", "flood.mode must be one of");
    expect_error("flood:\n  udp_pps: 0\n  syn_pps: 0\n  pps: 0\n", "2:3", "set at least one limit");
}

TEST(AgentConfig, FloodIsOffByDefaultAndTakesItsKeys) {
    auto d = parse_agent_config("", "agent.yaml");
    ASSERT_TRUE(d.ok());
    EXPECT_FALSE(d->flood.enabled);
    EXPECT_FALSE(d->flood.mitigate);
    auto c = parse_agent_config(R"(flood:
  enabled: true
  interfaces: [lo]
  mode: generic
  udp_pps: 1000
  syn_pps: 0
  pps: 5000
  mitigate: true
  cooldown: 2m
  max_sources: 1024
)", "agent.yaml");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_TRUE(c->flood.enabled);
    EXPECT_EQ(c->flood.interfaces, std::vector<std::string>{"lo"});
    EXPECT_EQ(c->flood.mode, "generic");
    EXPECT_EQ(c->flood.limits.udp_pps, 1000u);
    EXPECT_EQ(c->flood.limits.syn_pps, 0u);
    EXPECT_EQ(c->flood.limits.pps, 5000u);
    EXPECT_TRUE(c->flood.mitigate);
    EXPECT_EQ(c->flood.limits.cooldown_s, 120u);
    EXPECT_EQ(c->flood.max_sources, 1024u);
}

// Found by the config fuzzer: a key that is itself a mapping threw out of the parser.
TEST(AgentConfig, AKeyThatIsNotANameIsRefusedAtItsPlace) {
    auto c = parse_agent_config("probes:\n  ? {exec: 1}\n  : {enabled: true}\n", "agent.yaml");
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error().message.find("agent.yaml:2:"), std::string::npos) << c.error().message;
    EXPECT_NE(c.error().message.find("keys must be plain names"), std::string::npos) << c.error().message;
}

TEST(AgentConfig, RedactionIsOnByDefaultAndTakesPatterns) {
    auto d = parse_agent_config("", "agent.yaml");
    ASSERT_TRUE(d.ok());
    EXPECT_TRUE(d->redact.enabled);
    EXPECT_TRUE(d->redact.patterns.empty());
    auto c = parse_agent_config("redact:\n  enabled: false\n  patterns: ['pin:(\\d+)', 'sk_live_\\w+']\n", "agent.yaml");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_FALSE(c->redact.enabled);
    EXPECT_EQ(c->redact.patterns, (std::vector<std::string>{"pin:(\\d+)", "sk_live_\\w+"}));
    // A pattern RE2 refuses is reported at its place.
    auto bad = parse_agent_config("redact:\n  patterns:\n    - ok\n    - '(unclosed'\n", "agent.yaml");
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("agent.yaml:4:7"), std::string::npos) << bad.error().message;
    EXPECT_NE(bad.error().message.find("(unclosed"), std::string::npos) << bad.error().message;
}

TEST(AgentConfig, AnomalyIsOffByDefaultAndTakesItsKeys) {
    auto d = parse_agent_config("", "agent.yaml");
    ASSERT_TRUE(d.ok());
    EXPECT_FALSE(d->anomaly.enabled);
    EXPECT_EQ(d->anomaly.learn_s, 24u * 3600);
    auto c = parse_agent_config(R"(anomaly:
  enabled: true
  learn: 2h
  rates: false
  rate_interval: 30s
  rate_threshold: 6
  rate_min: 2.5
  rate_warmup: 12
  alerts_per_minute: 3
)", "agent.yaml");
    ASSERT_TRUE(c.ok()) << c.error().message;
    EXPECT_TRUE(c->anomaly.enabled);
    EXPECT_EQ(c->anomaly.learn_s, 7200u);
    EXPECT_FALSE(c->anomaly.rates);
    EXPECT_EQ(c->anomaly.rate.interval_ns, 30'000'000'000ull);
    EXPECT_EQ(c->anomaly.rate.threshold, 6);
    EXPECT_EQ(c->anomaly.rate.min_rate, 2.5);
    EXPECT_EQ(c->anomaly.rate.warmup, 12u);
    EXPECT_EQ(c->anomaly.alerts_per_minute, 3u);
}

// Each socket list replaces that API's defaults; the other API keeps its own.
TEST(AgentConfig, ContainerRuntimeSockets) {
    auto defaults = parse_agent_config("", "agent.yaml");
    ASSERT_TRUE(defaults.ok());
    EXPECT_EQ(defaults->runtime_sockets.size(), 3u);
    auto c = parse_agent_config("containers:\n  docker_sockets: [/tmp/d.sock]\n", "agent.yaml");
    ASSERT_TRUE(c.ok()) << c.error().message;
    ASSERT_EQ(c->runtime_sockets.size(), 2u);
    EXPECT_EQ(c->runtime_sockets[0].path, "/var/run/crio/crio.sock");
    EXPECT_EQ(c->runtime_sockets[1].path, "/tmp/d.sock");
    EXPECT_EQ(c->runtime_sockets[1].api, RuntimeSocket::Api::Docker);
    auto none = parse_agent_config("containers: {docker_sockets: [], crio_sockets: []}\n", "agent.yaml");
    ASSERT_TRUE(none.ok()) << none.error().message;
    EXPECT_TRUE(none->runtime_sockets.empty());
}

TEST(AgentConfig, UnitsAndAddresses) {
    EXPECT_EQ(*parse_duration_s("90"), 90u);
    EXPECT_EQ(*parse_duration_s("30m"), 1800u);
    EXPECT_EQ(*parse_duration_s("1w"), 604800u);
    EXPECT_FALSE(parse_duration_s("0s").ok());
    EXPECT_FALSE(parse_duration_s("5 m").ok());
    EXPECT_EQ(*parse_size_bytes("1GiB"), 1ull << 30);
    EXPECT_EQ(*parse_size_bytes("100MB"), 100'000'000u);
    EXPECT_FALSE(parse_size_bytes("1gib").ok());
    auto l = parse_listen("[::1]:9464");
    ASSERT_TRUE(l.ok());
    EXPECT_EQ(l->first, "::1");
    EXPECT_EQ(l->second, 9464);
    EXPECT_FALSE(parse_listen("127.0.0.1:99999").ok());
    EXPECT_FALSE(parse_listen(":80").ok());
}

}  // namespace
}  // namespace kscope
