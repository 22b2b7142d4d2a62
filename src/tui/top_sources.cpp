#include "tui/top_sources.h"

#include <dirent.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "exporters/remote_write.h"
#include "util/proc_stat.h"
#include "util/read_file.h"

namespace kscope::top {
namespace {

// Loads and attaches one probe; "" or why not.
std::string bring_up(Probe& probe) {
    ProbeOptions o;
    o.filter.exclude_pid = static_cast<uint32_t>(getpid());  // top's own reads are not the machine's
    if (auto r = probe.load(o); !r)
        return r.error().message;
    for (const auto& hook : probe.attach())
        if (!hook.attached)
            return fmt::format("cannot attach {} to {}: {}", hook.program, hook.hook, hook.error);
    return "";
}

}  // namespace

void ProcessSampler::start() {
    if (auto why = bring_up(syscalls_); why.empty())
        have_syscalls_ = true;
    else
        unavailable_.push_back("syscalls: " + why);
    if (auto why = bring_up(tcptop_); why.empty())
        have_tcptop_ = true;
    else
        unavailable_.push_back("tcptop: " + why);
}

ProcessSnapshot read_proc_totals(const std::string& proc_root) {
    ProcessSnapshot out;
    DIR* dir = opendir(proc_root.c_str());
    if (!dir)
        return out;
    while (const dirent* d = readdir(dir)) {
        char* end = nullptr;
        const unsigned long pid = std::strtoul(d->d_name, &end, 10);
        if (!end || *end || pid == 0)
            continue;
        const std::string base = proc_root + "/" + d->d_name;
        const auto stat = parse_proc_stat(read_file(base + "/stat").value_or(""));
        if (!stat)
            continue;  // gone meanwhile
        ProcessTotals t;
        t.comm = stat->comm;
        t.cpu_ticks = stat->number(14) + stat->number(15);  // utime + stime
        if (const auto io = read_file(base + "/io")) {
            std::istringstream lines(*io);
            for (std::string key; lines >> key;) {
                uint64_t v = 0;
                lines >> v;
                if (key == "read_bytes:") t.read_bytes = v;
                if (key == "write_bytes:") t.write_bytes = v;
            }
        }
        out.emplace(uint32_t(pid), std::move(t));
    }
    closedir(dir);
    return out;
}

ProcessSnapshot ProcessSampler::sample() {
    ProcessSnapshot snap = read_proc_totals();
    if (have_syscalls_) {
        if (auto s = syscalls_.snapshot()) {
            for (const auto& [key, c] : *s)
                if (auto it = snap.find(key.pid); it != snap.end()) {
                    it->second.syscalls += c.calls;
                    it->second.syscall_errors += c.errors;
                }
            syscalls_.forget_exited(*s);
        }
    }
    if (have_tcptop_) {
        if (auto f = tcptop_.snapshot()) {
            for (const auto& [key, c] : *f)
                if (auto it = snap.find(key.pid); it != snap.end()) {
                    it->second.rx_bytes += c.rx_bytes;
                    it->second.tx_bytes += c.tx_bytes;
                }
            tcptop_.forget_exited(*f);
        }
    }
    return snap;
}

Result<std::vector<AlertRow>> AgentAlerts::fetch(size_t limit) const {
    auto url = parse_http_url(url_);
    if (!url)
        return url.error();
    httplib::Client client(url->origin);
    client.set_connection_timeout(2, 0);
    client.set_read_timeout(5, 0);
    httplib::Headers headers;
    if (!token_.empty())
        headers.emplace("Authorization", "Bearer " + token_);
    const std::string base = url->path == "/" ? "" : url->path;
    auto res = client.Get(fmt::format("{}/api/v1/alerts?limit={}", base, limit), headers);
    if (!res)
        return Error{fmt::format("{}: {}", url_, httplib::to_string(res.error()))};
    if (res->status != 200)
        return Error{fmt::format("{}: HTTP {}", url_, res->status)};
    auto body = nlohmann::json::parse(res->body, nullptr, false);
    if (!body.is_array())
        return Error{url_ + ": the answer is not a JSON array of alerts"};
    std::vector<AlertRow> rows;
    for (const auto& a : body) {
        if (!a.is_object())
            continue;
        AlertRow r;
        r.ts_ns = a.value("ts", uint64_t(0));
        r.priority = a.value("priority", "");
        r.rule = a.value("rule", "");
        r.comm = a.value("comm", "");
        r.pid = a.value("pid", 0u);
        r.action = a.value("action", "");
        r.output = a.value("output", "");
        r.source = a.value("source", "");
        rows.push_back(std::move(r));
    }
    std::reverse(rows.begin(), rows.end());  // the API answers oldest first
    return rows;
}

}  // namespace kscope::top
