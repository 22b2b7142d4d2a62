#include "tui/top_model.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include <fmt/format.h>

namespace kscope::top {
namespace {

constexpr std::array<std::pair<SortKey, std::string_view>, 9> kKeys = {{{SortKey::Cpu, "cpu"},
                                                                        {SortKey::Syscalls, "syscalls"},
                                                                        {SortKey::Errors, "errors"},
                                                                        {SortKey::Rx, "rx"},
                                                                        {SortKey::Tx, "tx"},
                                                                        {SortKey::Read, "read"},
                                                                        {SortKey::Write, "write"},
                                                                        {SortKey::Pid, "pid"},
                                                                        {SortKey::Name, "name"}}};

double delta(uint64_t now, uint64_t before) { return now >= before ? double(now - before) : double(now); }

double value(const ProcessRow& r, SortKey k) {
    switch (k) {
        case SortKey::Cpu: return r.cpu_pct;
        case SortKey::Syscalls: return r.syscalls_ps;
        case SortKey::Errors: return r.errors_ps;
        case SortKey::Rx: return r.rx_bps;
        case SortKey::Tx: return r.tx_bps;
        case SortKey::Read: return r.read_bps;
        case SortKey::Write: return r.write_bps;
        case SortKey::Pid: return -double(r.pid);  // ascending
        case SortKey::Name: return 0;
    }
    return 0;
}

}  // namespace

std::string_view sort_key_name(SortKey k) {
    for (const auto& [key, name] : kKeys)
        if (key == k)
            return name;
    return "cpu";
}

bool sort_key_from_name(std::string_view name, SortKey& out) {
    for (const auto& [key, n] : kKeys)
        if (n == name) {
            out = key;
            return true;
        }
    return false;
}

std::vector<ProcessRow> process_rows(const ProcessSnapshot& before, const ProcessSnapshot& now, double seconds,
                                     double ticks_per_second, const ViewOptions& view) {
    std::vector<ProcessRow> rows;
    if (seconds <= 0)
        return rows;
    static const ProcessTotals kNone;
    for (const auto& [pid, t] : now) {
        if (!view.filter.empty() && t.comm.find(view.filter) == std::string::npos)
            continue;
        auto it = before.find(pid);
        // Seen for the first time: the kernel counters started with kscope, CPU and I/O with
        // the process; only an interval's worth of either is a rate.
        const ProcessTotals& b = it != before.end() ? it->second : kNone;
        ProcessRow r;
        r.pid = pid;
        r.comm = t.comm;
        r.cpu_pct = it != before.end() ? delta(t.cpu_ticks, b.cpu_ticks) / ticks_per_second / seconds * 100 : 0;
        r.syscalls_ps = delta(t.syscalls, b.syscalls) / seconds;
        r.errors_ps = delta(t.syscall_errors, b.syscall_errors) / seconds;
        r.rx_bps = delta(t.rx_bytes, b.rx_bytes) / seconds;
        r.tx_bps = delta(t.tx_bytes, b.tx_bytes) / seconds;
        r.read_bps = it != before.end() ? delta(t.read_bytes, b.read_bytes) / seconds : 0;
        r.write_bps = it != before.end() ? delta(t.write_bytes, b.write_bytes) / seconds : 0;
        rows.push_back(std::move(r));
    }
    std::stable_sort(rows.begin(), rows.end(), [&](const ProcessRow& a, const ProcessRow& b) {
        if (view.sort == SortKey::Name)
            return a.comm != b.comm ? a.comm < b.comm : a.pid < b.pid;
        const double va = value(a, view.sort), vb = value(b, view.sort);
        return va != vb ? va > vb : a.pid < b.pid;
    });
    return rows;
}

std::vector<ProgramRow> program_rows(const std::vector<BpfProgramInfo>& before, const std::vector<BpfProgramInfo>& now,
                                     double seconds) {
    std::unordered_map<uint32_t, const BpfProgramInfo*> earlier;
    for (const auto& p : before)
        earlier[p.id] = &p;
    std::vector<ProgramRow> rows;
    for (const auto& p : now) {
        auto it = earlier.find(p.id);
        const double runs = it != earlier.end() ? delta(p.runs, it->second->runs) : 0;
        const double ns = it != earlier.end() ? delta(p.run_time_ns, it->second->run_time_ns) : 0;
        ProgramRow r{p.id, p.name, p.type};
        if (seconds > 0) {
            r.runs_ps = runs / seconds;
            r.cpu_pct = ns / (seconds * 1e9) * 100;
        }
        r.ns_per_run = runs > 0 ? ns / runs : 0;
        rows.push_back(std::move(r));
    }
    std::stable_sort(rows.begin(), rows.end(), [](const ProgramRow& a, const ProgramRow& b) {
        return a.cpu_pct != b.cpu_pct ? a.cpu_pct > b.cpu_pct : a.runs_ps != b.runs_ps ? a.runs_ps > b.runs_ps : a.id < b.id;
    });
    return rows;
}

std::string short_rate(double v) {
    if (v < 1000)
        return fmt::format("{:.0f}", v);
    if (v < 1e6)
        return fmt::format("{:.1f}K", v / 1e3);
    if (v < 1e9)
        return fmt::format("{:.1f}M", v / 1e6);
    return fmt::format("{:.1f}G", v / 1e9);
}

}  // namespace kscope::top
