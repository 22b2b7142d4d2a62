// The agent's configuration: YAML (file or embedded defaults) -> AgentConfig. Every
// unknown key and bad value is an error naming file:line:column; nothing is half-applied.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exporters/alertmanager_exporter.h"
#include "exporters/file_exporter.h"
#include "exporters/nats_exporter.h"
#include "exporters/remote_write.h"
#include "exporters/webhook_exporter.h"
#include "enforce/flood_probe.h"
#include "pipeline/anomaly_stage.h"
#include "pipeline/container_runtime.h"
#include "server/http_server.h"
#include "store/event_store.h"
#include "util/result.h"

namespace kscope::rules {
class RuleEngine;
}

namespace kscope {

struct ProbeConfig {
    bool enabled = true;
    std::vector<uint32_t> pids;
    std::vector<std::string> comms;
    std::string cgroup;          // "" = every cgroup
    bool failures_only = false;
    std::vector<uint16_t> ports;  // dns: server ports
    uint32_t sample = 1;          // send one event in N
    bool operator==(const ProbeConfig&) const = default;
};

// Continuous CPU profiling: a low sampling rate on every CPU, aggregated per minute in
// the store, served by /debug/pprof/profile and /api/v1/profile.
struct ProfilingConfig {
    bool enabled = true;
    uint32_t frequency_hz = 19;
    bool operator==(const ProfilingConfig&) const = default;
};

// Detection rules: kscope's built-in rules (unless default: false), then the files in
// order; matches become alert events, limited per rule and process.
struct RulesConfig {
    bool default_rules = true;
    std::vector<std::string> files;  // relative paths are taken from the config file's directory
    double rate_per_second = 1.0;    // sustained alerts per rule and process
    uint32_t burst = 10;             // alerts at once per rule and process
    bool audit = false;              // mode: audit (report would_kill / would_deny) instead of enforce
    bool operator==(const RulesConfig&) const = default;
};

// Secrets in command lines (redact/redactor.h): on by default; patterns add to the built-ins.
struct RedactConfig {
    bool enabled = true;
    std::vector<std::string> patterns;
    bool operator==(const RedactConfig&) const = default;
};

struct AgentConfig {
    // Every probe the agent knows, by name; a missing entry means the default.
    std::map<std::string, ProbeConfig> probes;
    std::string listen = "127.0.0.1:9464";
    HttpSecurity http_security;
    std::string data_dir = "/var/lib/kscope";
    RetentionPolicy retention;
    bool store_enabled = true;
    std::string log_level = "info";  // trace, debug, info, warn, error
    std::string log_format = "text"; // text, json
    uint32_t ring_kib = 1024;
    RemoteWriteConfig remote_write;  // off unless remote_write.url is set
    ProfilingConfig profiling;
    RulesConfig rules;
    AnomalyConfig anomaly;
    enforce::FloodConfig flood;
    RedactConfig redact;
    // limits.cpu_percent: kscope's own budget, in percent of one CPU (user space plus its
    // BPF programs' run time); 0: no governor.
    double cpu_percent = 0;
    // Where container names and images are asked (containers: {docker_sockets, crio_sockets}).
    std::vector<RuntimeSocket> runtime_sockets = default_runtime_sockets();
    // Built from `rules` when the configuration is loaded (load_agent_rules), so that a bad
    // rules file refuses the whole configuration, at start and on reload.
    std::shared_ptr<rules::RuleEngine> rules_engine;

    // Each exporter is off unless configured; limits per exporter by name (spool_path is
    // filled in by the agent from data_dir).
    std::optional<FileExporterConfig> file_exporter;
    std::optional<WebhookConfig> webhook_exporter;
    std::optional<NatsConfig> nats_exporter;
    std::optional<AlertmanagerConfig> alertmanager_exporter;
    std::map<std::string, ExporterLimits> exporter_limits;
};

// The probes the agent runs, with whether each is on by default. `open` is off: every
// open on a host is a flood for a store; turn it on with a filter. `faults` is off: the
// perf event it counts from costs ~300 ns per page fault (about a fifth of a minor fault,
// bench/sched_bench.sh), too much for fault-heavy workloads by default.
const std::vector<std::pair<std::string, bool>>& agent_probe_defaults();

AgentConfig default_agent_config();
// source names the text in messages ("/etc/kscope/agent.yaml").
Result<AgentConfig> parse_agent_config(std::string_view yaml, const std::string& source);
Result<AgentConfig> load_agent_config(const std::string& path);
// Loads and compiles the rules `config.rules` names into config.rules_engine (none when
// the built-in rules are off and no file is named). Errors name file:line:column.
Result<void> load_agent_rules(AgentConfig& config);

// "7d", "12h", "30m", "45s", or plain seconds.
Result<uint64_t> parse_duration_s(std::string_view text);
// "1GiB", "512MiB", "64KiB", "100MB", or plain bytes.
Result<uint64_t> parse_size_bytes(std::string_view text);
// "127.0.0.1:9464" -> host, port.
Result<std::pair<std::string, uint16_t>> parse_listen(std::string_view text);

}  // namespace kscope
