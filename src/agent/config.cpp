#include "agent/config.h"

#include <net/if.h>
#include <yaml-cpp/yaml.h>

#include <charconv>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "pipeline/cgroup_paths.h"
#include "redact/redactor.h"
#include "rules/default_rules.h"
#include "rules/engine.h"
#include "rules/ruleset.h"

namespace kscope {
namespace {

// Errors name the place in the file; yaml-cpp's marks are 0-based.
struct Where {
    const std::string& source;
    Error at(const YAML::Node& n, const std::string& msg) const {
        const YAML::Mark m = n.Mark();
        if (m.line < 0)
            return Error{fmt::format("{}: {}", source, msg)};
        return Error{fmt::format("{}:{}:{}: {}", source, m.line + 1, m.column + 1, msg)};
    }
};

using Fields = std::map<std::string, std::function<Result<void>(const YAML::Node&)>>;

// Applies each key of a mapping with its handler; an unknown key is an error.
Result<void> each_field(const Where& w, const YAML::Node& map, const std::string& what, const Fields& fields) {
    if (!map || map.IsNull())
        return {};
    if (!map.IsMap())
        return w.at(map, what + " must be a mapping");
    for (const auto& kv : map) {
        if (!kv.first.IsScalar())  // `? {a: b}: c` is YAML, but no key of ours
            return w.at(kv.first, what + ": keys must be plain names");
        const std::string key = kv.first.Scalar();
        auto it = fields.find(key);
        if (it == fields.end()) {
            std::string known;
            for (const auto& [k, _] : fields)
                known += (known.empty() ? "" : ", ") + k;
            return w.at(kv.first, fmt::format("unknown key '{}' in {} (known: {})", key, what, known));
        }
        if (auto r = it->second(kv.second); !r)
            return r;
    }
    return {};
}

template <typename T>
Result<T> scalar(const Where& w, const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar())
        return w.at(n, what + " must be a single value");
    try {
        return n.as<T>();
    } catch (const YAML::Exception&) {
        return w.at(n, fmt::format("'{}' is not a valid {}", n.Scalar(), what));
    }
}

template <typename T>
Result<std::vector<T>> list(const Where& w, const YAML::Node& n, const std::string& what) {
    if (!n.IsSequence())
        return w.at(n, what + " must be a list");
    std::vector<T> out;
    for (const auto& item : n) {
        auto v = scalar<T>(w, item, what + " entry");
        if (!v)
            return v.error();
        out.push_back(*v);
    }
    return out;
}

// Handlers for the common kinds of value: each checks and stores into out.
auto bool_field(const Where& w, bool& out, const std::string& what) {
    return [&w, &out, what](const YAML::Node& v) -> Result<void> {
        auto b = scalar<bool>(w, v, what + " (true or false)");
        if (!b) return b.error();
        out = *b;
        return {};
    };
}

// A text value converted by parse (parse_size_bytes, parse_duration_s).
template <typename Parse>
auto unit_field(const Where& w, uint64_t& out, const std::string& what, Parse parse) {
    return [&w, &out, what, parse](const YAML::Node& v) -> Result<void> {
        auto s = scalar<std::string>(w, v, what);
        if (!s) return s.error();
        auto n = parse(*s);
        if (!n) return w.at(v, n.error().message);
        out = *n;
        return {};
    };
}

// A whole number from min to max.
template <typename T>
auto count_field(const Where& w, T& out, const std::string& what, uint32_t min, uint32_t max = UINT32_MAX) {
    return [&w, &out, what, min, max](const YAML::Node& v) -> Result<void> {
        auto n = scalar<uint32_t>(w, v, what);
        if (!n) return n.error();
        if (*n < min || *n > max)
            return w.at(v, max == UINT32_MAX ? fmt::format("{} must be at least {}", what, min)
                                             : fmt::format("{} must be {} to {}", what, min, max));
        out = *n;
        return {};
    };
}

// A number within [min, max].
auto real_field(const Where& w, double& out, const std::string& what, double min, double max) {
    return [&w, &out, what, min, max](const YAML::Node& v) -> Result<void> {
        auto d = scalar<double>(w, v, what);
        if (!d) return d.error();
        if (!(*d >= min && *d <= max))
            return w.at(v, fmt::format("{} must be {} to {}", what, min, max));
        out = *d;
        return {};
    };
}

auto size_field(const Where& w, uint64_t& out, const std::string& what) {
    return unit_field(w, out, what, parse_size_bytes);
}

auto duration_field(const Where& w, uint64_t& out, const std::string& what) {
    return unit_field(w, out, what, parse_duration_s);
}

Result<void> parse_probe(const Where& w, const std::string& name, const YAML::Node& n, ProbeConfig& p) {
    if (n.IsScalar()) {  // "exec: false" as shorthand
        auto on = scalar<bool>(w, n, "probes." + name);
        if (!on)
            return on.error();
        p.enabled = *on;
        return {};
    }
    Fields f{
        {"enabled", bool_field(w, p.enabled, "enabled")},
        {"pids", [&](const YAML::Node& v) -> Result<void> {
             auto l = list<uint32_t>(w, v, "pids");
             if (!l) return l.error();
             p.pids = *l;
             return {};
         }},
        {"comms", [&](const YAML::Node& v) -> Result<void> {
             auto l = list<std::string>(w, v, "comms");
             if (!l) return l.error();
             for (const auto& c : *l)
                 if (c.empty() || c.size() > 15)
                     return w.at(v, fmt::format("comm '{}' must be 1 to 15 characters", c));
             p.comms = *l;
             return {};
         }},
        {"cgroup", [&](const YAML::Node& v) -> Result<void> {
             auto s = scalar<std::string>(w, v, "cgroup path");
             if (!s) return s.error();
             // Checked here, so a missing cgroup is reported at its place in the file.
             if (auto ref = resolve_cgroup(*s); !ref) return w.at(v, ref.error().message);
             p.cgroup = *s;
             return {};
         }},
        {"sample", count_field(w, p.sample, "sample", 1)},  // keep one event in N
        {"failures_only", bool_field(w, p.failures_only, "failures_only")},
    };
    if (name == "dns")
        f["ports"] = [&](const YAML::Node& v) -> Result<void> {
            auto l = list<uint32_t>(w, v, "ports");
            if (!l) return l.error();
            if (l->empty() || l->size() > 4)
                return w.at(v, "ports takes 1 to 4 ports");
            p.ports.clear();
            for (uint32_t port : *l) {
                if (port == 0 || port > 65535)
                    return w.at(v, fmt::format("port {} is out of range 1-65535", port));
                p.ports.push_back(uint16_t(port));
            }
            return {};
        };
    return each_field(w, n, "probes." + name, f);
}

// A string field that must be an http(s) URL.
auto url_field(const Where& w, std::string& out, const std::string& what) {
    return [&w, &out, what](const YAML::Node& v) -> Result<void> {
        auto s = scalar<std::string>(w, v, what);
        if (!s) return s.error();
        if (auto u = parse_http_url(*s); !u) return w.at(v, u.error().message);
        out = *s;
        return {};
    };
}

auto string_field(const Where& w, std::string& out, const std::string& what) {
    return [&w, &out, what](const YAML::Node& v) -> Result<void> {
        auto s = scalar<std::string>(w, v, what);
        if (!s) return s.error();
        if (s->empty()) return w.at(v, what + " must not be empty");
        out = *s;
        return {};
    };
}

// Keys every exporter takes: its queue, spool and batch sizes.
void add_limit_fields(const Where& w, Fields& f, ExporterLimits& l, const std::string& name) {
    f["memory_queue"] = count_field(w, l.memory_records, "exporters." + name + ".memory_queue", 1);
    f["spool_size"] = size_field(w, l.spool_bytes, "exporters." + name + ".spool_size");
    f["batch"] = count_field(w, l.batch, "exporters." + name + ".batch", 1, 10000);
}

// Checks that a configured exporter got its required key.
Result<void> require(const Where& w, const YAML::Node& n, const std::string& value, const std::string& what) {
    if (value.empty())
        return w.at(n, what + " is required");
    return {};
}

Result<void> parse_exporters(const Where& w, const YAML::Node& node, AgentConfig& c) {
    Fields f;
    f["file"] = [&](const YAML::Node& v) -> Result<void> {
        auto& e = c.file_exporter.emplace();
        Fields ff{{"path", string_field(w, e.path, "exporters.file.path")},
                  {"max_size", size_field(w, e.max_bytes, "exporters.file.max_size")},
                  {"keep", count_field(w, e.keep, "exporters.file.keep", 1, 1000)}};
        add_limit_fields(w, ff, c.exporter_limits["file"], "file");
        if (auto r = each_field(w, v, "exporters.file", ff); !r) return r;
        return require(w, v, e.path, "exporters.file.path");
    };
    f["webhook"] = [&](const YAML::Node& v) -> Result<void> {
        auto& e = c.webhook_exporter.emplace();
        Fields ff{{"url", url_field(w, e.url, "exporters.webhook.url")},
                  {"bearer_token", string_field(w, e.bearer_token, "exporters.webhook.bearer_token")}};
        add_limit_fields(w, ff, c.exporter_limits["webhook"], "webhook");
        if (auto r = each_field(w, v, "exporters.webhook", ff); !r) return r;
        return require(w, v, e.url, "exporters.webhook.url");
    };
    f["nats"] = [&](const YAML::Node& v) -> Result<void> {
        auto& e = c.nats_exporter.emplace();
        Fields ff{{"url", string_field(w, e.url, "exporters.nats.url")},
                  {"subject_prefix", string_field(w, e.subject_prefix, "exporters.nats.subject_prefix")},
                  {"stream", string_field(w, e.stream, "exporters.nats.stream")}};
        add_limit_fields(w, ff, c.exporter_limits["nats"], "nats");
        return each_field(w, v, "exporters.nats", ff);
    };
    f["alertmanager"] = [&](const YAML::Node& v) -> Result<void> {
        auto& e = c.alertmanager_exporter.emplace();
        Fields ff{{"url", url_field(w, e.url, "exporters.alertmanager.url")},
                  {"bearer_token", string_field(w, e.bearer_token, "exporters.alertmanager.bearer_token")},
                  {"resolve_after", duration_field(w, e.resolve_after_s, "exporters.alertmanager.resolve_after")}};
        add_limit_fields(w, ff, c.exporter_limits["alertmanager"], "alertmanager");
        if (auto r = each_field(w, v, "exporters.alertmanager", ff); !r) return r;
        return require(w, v, e.url, "exporters.alertmanager.url");
    };
    return each_field(w, node, "exporters", f);
}

Result<void> apply(const Where& w, const YAML::Node& root, AgentConfig& c) {
    Fields probe_fields;
    for (const auto& [name, _] : agent_probe_defaults())
        probe_fields[name] = [&w, &c, name = name](const YAML::Node& v) { return parse_probe(w, name, v, c.probes[name]); };
    auto text = [&w](std::string& out, const char* what, std::initializer_list<const char*> allowed = {}) {
        return [&w, &out, what, allowed](const YAML::Node& v) -> Result<void> {
            auto s = scalar<std::string>(w, v, what);
            if (!s) return s.error();
            if (allowed.size() && std::find_if(allowed.begin(), allowed.end(), [&](const char* a) { return *s == a; }) == allowed.end()) {
                std::string list;
                for (const char* a : allowed)
                    list += (list.empty() ? "" : ", ") + std::string(a);
                return w.at(v, fmt::format("{} must be one of {}, not '{}'", what, list, *s));
            }
            out = *s;
            return {};
        };
    };
    Fields top{
        {"probes", [&](const YAML::Node& v) { return each_field(w, v, "probes", probe_fields); }},
        {"http", [&](const YAML::Node& v) {
             auto r = each_field(w, v, "http", {
                 {"listen", [&](const YAML::Node& l) -> Result<void> {
                      auto s = scalar<std::string>(w, l, "http.listen");
                      if (!s) return s.error();
                      if (auto p = parse_listen(*s); !p) return w.at(l, p.error().message);
                      c.listen = *s;
                      return {};
                  }},
                 {"tls_cert", text(c.http_security.tls_cert, "http.tls_cert")},
                 {"tls_key", text(c.http_security.tls_key, "http.tls_key")},
                 {"bearer_token", text(c.http_security.bearer_token, "http.bearer_token")},
             });
             if (r && c.http_security.tls_cert.empty() != c.http_security.tls_key.empty())
                 return Result<void>(w.at(v, "http.tls_cert and http.tls_key go together"));
             return r;
         }},
        {"store", [&](const YAML::Node& v) {
             return each_field(w, v, "store", {
                 {"enabled", bool_field(w, c.store_enabled, "store.enabled")},
                 {"data_dir", text(c.data_dir, "store.data_dir")},
                 {"max_age", duration_field(w, c.retention.max_age_s, "store.max_age")},
                 {"max_size", size_field(w, c.retention.max_bytes, "store.max_size")},
             });
         }},
        {"log", [&](const YAML::Node& v) {
             return each_field(w, v, "log", {
                 {"level", text(c.log_level, "log.level", {"trace", "debug", "info", "warn", "error"})},
                 {"format", text(c.log_format, "log.format", {"text", "json"})},
             });
         }},
        {"remote_write", [&](const YAML::Node& v) {
             auto& rw = c.remote_write;
             return each_field(w, v, "remote_write", {
                 {"url", [&](const YAML::Node& u) -> Result<void> {
                      auto s = scalar<std::string>(w, u, "remote_write.url");
                      if (!s) return s.error();
                      if (auto url = parse_http_url(*s); !url) return w.at(u, url.error().message);
                      rw.url = *s;
                      return {};
                  }},
                 {"interval", duration_field(w, rw.interval_s, "remote_write.interval")},
                 {"bearer_token", text(rw.bearer_token, "remote_write.bearer_token")},
                 {"max_pending", count_field(w, rw.max_pending, "remote_write.max_pending", 1)},
             });
         }},
        {"exporters", [&](const YAML::Node& v) { return parse_exporters(w, v, c); }},
        {"profiling", [&](const YAML::Node& v) {
             return each_field(w, v, "profiling", {
                 {"enabled", bool_field(w, c.profiling.enabled, "profiling.enabled")},
                 {"frequency", count_field(w, c.profiling.frequency_hz, "profiling.frequency", 1, 1000)},
             });
         }},
        {"rules", [&](const YAML::Node& v) {
             return each_field(w, v, "rules", {
                 {"default", bool_field(w, c.rules.default_rules, "rules.default")},
                 {"mode", [&](const YAML::Node& m) -> Result<void> {
                      auto s = scalar<std::string>(w, m, "rules.mode");
                      if (!s) return s.error();
                      if (*s != "enforce" && *s != "audit")
                          return w.at(m, "rules.mode must be enforce or audit");
                      c.rules.audit = *s == "audit";
                      return {};
                  }},
                 {"files", [&](const YAML::Node& f) -> Result<void> {
                      auto l = list<std::string>(w, f, "rules.files");
                      if (!l) return l.error();
                      c.rules.files.clear();
                      const std::string dir = w.source.find('/') == std::string::npos
                                                  ? std::string()
                                                  : w.source.substr(0, w.source.rfind('/') + 1);
                      for (const auto& path : *l)
                          c.rules.files.push_back(path.empty() || path[0] == '/' ? path : dir + path);
                      return {};
                  }},
                 {"rate_limit", [&](const YAML::Node& r) {
                      return each_field(w, r, "rules.rate_limit", {
                          {"per_second", [&](const YAML::Node& p) -> Result<void> {
                               auto d = scalar<double>(w, p, "rules.rate_limit.per_second");
                               if (!d) return d.error();
                               if (!(*d > 0) || *d > 1e6)
                                   return w.at(p, "rules.rate_limit.per_second must be above 0 (at most 1000000)");
                               c.rules.rate_per_second = *d;
                               return {};
                           }},
                          {"burst", count_field(w, c.rules.burst, "rules.rate_limit.burst", 1, 1000000)},
                      });
                  }},
             });
         }},
        {"limits", [&](const YAML::Node& v) {
             return each_field(w, v, "limits", {
                 {"cpu_percent", real_field(w, c.cpu_percent, "limits.cpu_percent", 0, 1000)},
             });
         }},
        {"redact", [&](const YAML::Node& v) {
             return each_field(w, v, "redact", {
                 {"enabled", bool_field(w, c.redact.enabled, "redact.enabled")},
                 {"patterns", [&](const YAML::Node& l) -> Result<void> {
                      auto p = list<std::string>(w, l, "redact.patterns");
                      if (!p) return p.error();
                      for (size_t i = 0; i < p->size(); i++)  // refused here, at the pattern's place
                          if (auto r = Redactor::make({(*p)[i]}, false); !r)
                              return w.at(l[i], r.error().message);
                      c.redact.patterns = *p;
                      return {};
                  }},
             });
         }},
        {"anomaly", [&](const YAML::Node& v) -> Result<void> {
             auto& a = c.anomaly;
             uint64_t interval_s = a.rate.interval_ns / 1'000'000'000ull;
             auto r = each_field(w, v, "anomaly", {
                 {"enabled", bool_field(w, a.enabled, "anomaly.enabled")},
                 {"learn", [&](const YAML::Node& n) -> Result<void> {
                      if (auto r = duration_field(w, a.learn_s, "anomaly.learn")(n); !r) return r;
                      if (a.learn_s > 365ull * 86400) return w.at(n, "anomaly.learn must be at most 365d");
                      return {};
                  }},
                 {"rates", bool_field(w, a.rates, "anomaly.rates")},
                 {"rate_interval", duration_field(w, interval_s, "anomaly.rate_interval")},
                 {"rate_threshold", real_field(w, a.rate.threshold, "anomaly.rate_threshold", 1, 100)},
                 {"rate_min", real_field(w, a.rate.min_rate, "anomaly.rate_min", 0, 1e9)},
                 {"rate_warmup", count_field(w, a.rate.warmup, "anomaly.rate_warmup", 1, 10000)},
                 {"alerts_per_minute", count_field(w, a.alerts_per_minute, "anomaly.alerts_per_minute", 1, 100000)},
             });
             if (!r) return r;
             if (interval_s == 0 || interval_s > 3600)
                 return w.at(v["rate_interval"], "anomaly.rate_interval must be 1s to 1h");
             a.rate.interval_ns = interval_s * 1'000'000'000ull;
             return {};
         }},
        {"flood", [&](const YAML::Node& v) -> Result<void> {
             auto& f = c.flood;
             uint32_t udp = uint32_t(f.limits.udp_pps), syn = uint32_t(f.limits.syn_pps), any = uint32_t(f.limits.pps);
             auto r = each_field(w, v, "flood", {
                 {"enabled", bool_field(w, f.enabled, "flood.enabled")},
                 {"interfaces", [&](const YAML::Node& l) -> Result<void> {
                      auto names = list<std::string>(w, l, "flood.interfaces");
                      if (!names) return names.error();
                      std::set<std::string> seen;
                      for (const auto& name : *names) {  // checked here, so a typo is reported at its place
                          if (name.empty() || name.size() >= IF_NAMESIZE || if_nametoindex(name.c_str()) == 0)
                              return w.at(l, fmt::format("flood.interfaces: no network interface '{}' here", name));
                          if (!seen.insert(name).second)  // a second hook would count every packet twice
                              return w.at(l, fmt::format("flood.interfaces: '{}' is named twice", name));
                      }
                      f.interfaces = *names;
                      return {};
                  }},
                 {"mode", text(f.mode, "flood.mode", {"auto", "native", "generic", "tc"})},
                 {"udp_pps", count_field(w, udp, "flood.udp_pps", 0)},
                 {"syn_pps", count_field(w, syn, "flood.syn_pps", 0)},
                 {"pps", count_field(w, any, "flood.pps", 0)},
                 {"mitigate", bool_field(w, f.mitigate, "flood.mitigate")},
                 {"cooldown", [&](const YAML::Node& n) -> Result<void> {
                      if (auto r = duration_field(w, f.limits.cooldown_s, "flood.cooldown")(n); !r) return r;
                      if (f.limits.cooldown_s > 7ull * 86400) return w.at(n, "flood.cooldown must be at most 7d");
                      return {};
                  }},
                 {"max_sources", count_field(w, f.max_sources, "flood.max_sources", 64, 1u << 18)},
             });
             if (!r) return r;
             f.limits.udp_pps = udp;
             f.limits.syn_pps = syn;
             f.limits.pps = any;
             if (f.enabled && f.interfaces.empty())
                 return w.at(v, "flood.enabled needs flood.interfaces: the interfaces to guard");
             if (!f.limits.udp_pps && !f.limits.syn_pps && !f.limits.pps)
                 return w.at(v, "flood: udp_pps, syn_pps and pps are all 0 (off); set at least one limit");
             return {};
         }},
        {"containers", [&](const YAML::Node& v) {
             // Each list replaces that API's default sockets; an empty list asks none.
             auto sockets = [&](RuntimeSocket::Api api, const char* name) {
                 return [&, api, name](const YAML::Node& s) -> Result<void> {
                     auto l = list<std::string>(w, s, name);
                     if (!l) return l.error();
                     std::erase_if(c.runtime_sockets, [&](const RuntimeSocket& r) { return r.api == api; });
                     for (const auto& path : *l) {
                         if (path.empty() || path[0] != '/')
                             return w.at(s, std::string(name) + ": '" + path + "' is not an absolute path");
                         c.runtime_sockets.push_back({path, api});
                     }
                     return {};
                 };
             };
             return each_field(w, v, "containers", {
                 {"docker_sockets", sockets(RuntimeSocket::Api::Docker, "containers.docker_sockets")},
                 {"crio_sockets", sockets(RuntimeSocket::Api::CriO, "containers.crio_sockets")},
             });
         }},
        {"ring_kib", [&](const YAML::Node& v) -> Result<void> {
             auto k = scalar<uint32_t>(w, v, "ring_kib");
             if (!k) return k.error();
             if (*k < 4 || (*k & (*k - 1)))
                 return w.at(v, "ring_kib must be a power of two, at least 4");
             c.ring_kib = *k;
             return {};
         }},
    };
    return each_field(w, root, "the configuration", top);
}

}  // namespace

const std::vector<std::pair<std::string, bool>>& agent_probe_defaults() {
    static const std::vector<std::pair<std::string, bool>> probes = {
        {"exec", true}, {"exit", true}, {"open", false}, {"syscalls", true},
        {"tcp", true},  {"drops", true}, {"dns", true},  {"filetop", true},
        {"runqlat", true}, {"biolat", true}, {"oom", true}, {"faults", false},
        {"privilege", true}, {"namespaces", true}, {"filechange", true}, {"socket", true},
    };
    return probes;
}

AgentConfig default_agent_config() {
    AgentConfig c;
    for (const auto& [name, on] : agent_probe_defaults())
        c.probes[name].enabled = on;
    return c;
}

Result<AgentConfig> parse_agent_config(std::string_view yaml, const std::string& source) {
    AgentConfig c = default_agent_config();
    YAML::Node root;
    try {
        root = YAML::Load(std::string(yaml));
    } catch (const YAML::ParserException& e) {
        return Error{fmt::format("{}:{}:{}: {}", source, e.mark.line + 1, e.mark.column + 1, e.msg)};
    }
    const Where w{source};
    if (auto r = apply(w, root, c); !r)
        return r.error();
    return c;
}

Result<AgentConfig> load_agent_config(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        return Error{"cannot read config file " + path};
    std::stringstream text;
    text << in.rdbuf();
    return parse_agent_config(text.str(), path);
}

Result<uint64_t> parse_duration_s(std::string_view text) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    std::string_view unit(end, text.data() + text.size() - end);
    static const std::map<std::string_view, uint64_t> units = {{"", 1}, {"s", 1}, {"m", 60}, {"h", 3600}, {"d", 86400}, {"w", 604800}};
    auto it = units.find(unit);
    if (ec != std::errc() || it == units.end() || n == 0)
        return Error{fmt::format("'{}' is not a duration (e.g. 7d, 12h, 30m, 45s)", text)};
    return n * it->second;
}

Result<uint64_t> parse_size_bytes(std::string_view text) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    std::string_view unit(end, text.data() + text.size() - end);
    static const std::map<std::string_view, uint64_t> units = {
        {"", 1}, {"B", 1}, {"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40},
        {"KB", 1000}, {"MB", 1000'000}, {"GB", 1000'000'000}, {"TB", 1000'000'000'000}};
    auto it = units.find(unit);
    if (ec != std::errc() || it == units.end() || n == 0)
        return Error{fmt::format("'{}' is not a size (e.g. 1GiB, 512MiB, 100MB)", text)};
    return n * it->second;
}

Result<std::pair<std::string, uint16_t>> parse_listen(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
        return Error{fmt::format("'{}' is not ADDRESS:PORT (e.g. 127.0.0.1:9464)", text)};
    std::string host(text.substr(0, colon));
    if (host.size() > 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    uint32_t port = 0;
    auto ports = text.substr(colon + 1);
    auto [end, ec] = std::from_chars(ports.data(), ports.data() + ports.size(), port);
    if (ec != std::errc() || end != ports.data() + ports.size() || port > 65535)
        return Error{fmt::format("'{}' has no valid port (0-65535)", text)};
    return std::pair{host, uint16_t(port)};
}

}  // namespace kscope

namespace kscope {

Result<void> load_agent_rules(AgentConfig& config) {
    config.rules_engine.reset();
    auto sources = rules::rules_sources(config.rules.default_rules, config.rules.files);
    if (!sources) return sources.error();
    if (sources->empty()) return {};
    auto set = rules::load_rules(*sources);
    if (!set) return set.error();
    rules::RateLimit limit{config.rules.rate_per_second, double(config.rules.burst)};
    config.rules_engine = std::make_shared<rules::RuleEngine>(std::move(set.value()), limit);
    return {};
}

}  // namespace kscope
