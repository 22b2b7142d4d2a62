#include "sinks/latency_report.h"

#include <fmt/format.h>

#include <iterator>

#include "sinks/clock_time.h"
#include "sinks/json_writer.h"

namespace kscope {
namespace {

// ,"buckets":[[le_ns,count],…]
void append_buckets(std::string& out, const LatencySummary& s) {
    auto o = std::back_inserter(out);
    out += ",\"buckets\":[";
    for (size_t i = 0; i < s.buckets.size(); i++)
        fmt::format_to(o, "{}[{},{}]", i ? "," : "", s.buckets[i].first, s.buckets[i].second);
    out += ']';
}

std::string bytes_text(uint64_t b) {
    if (b < 1024)
        return fmt::format("{} B", b);
    if (b < 1024 * 1024)
        return fmt::format("{:.1f} KiB", b / 1024.0);
    if (b < 1024ull * 1024 * 1024)
        return fmt::format("{:.1f} MiB", b / (1024.0 * 1024));
    return fmt::format("{:.1f} GiB", b / (1024.0 * 1024 * 1024));
}

std::string percentile_text(const LatencySummary& s, uint64_t v) { return s.count ? duration_text(v) : "-"; }

}  // namespace

void append_runq_json(std::string& out, uint64_t ts_ns, const std::vector<RunqRow>& rows, RunqGroup group) {
    for (const auto& r : rows) {
        {
            JsonWriter w(out);
            w.begin_object().field("type", "runq_latency").field("ts", ts_ns);
            if (group == RunqGroup::pid)
                w.field("pid", r.id).field("comm", r.name);
            else if (group == RunqGroup::cgroup)
                w.field("cgroup", r.name);
            w.field("count", r.summary.count)
                .field("sum_ns", r.summary.sum_ns)
                .field("p50_ns", r.summary.p50_ns)
                .field("p99_ns", r.summary.p99_ns)
                .field("max_ns", r.summary.max_ns);
        }
        append_buckets(out, r.summary);
        out += "}\n";
    }
}

void append_runq_table(std::string& out, uint64_t ts_ns, const std::vector<RunqRow>& rows, RunqGroup group) {
    auto o = std::back_inserter(out);
    fmt::format_to(o, "[{}] run-queue latency\n", clock_time(ts_ns));
    for (const auto& r : rows) {
        const auto& s = r.summary;
        std::string who;
        if (group == RunqGroup::pid)
            who = fmt::format("pid {} ({}): ", r.id, r.name);
        else if (group == RunqGroup::cgroup)
            who = fmt::format("cgroup {}: ", r.name.empty() ? fmt::format("id {}", r.id) : r.name);
        fmt::format_to(o, "{}{} waits, p50 {}, p99 {}, max {}, total {}\n", who, s.count, percentile_text(s, s.p50_ns),
                       percentile_text(s, s.p99_ns), percentile_text(s, s.max_ns), duration_text(s.sum_ns));
        if (s.count)
            append_histogram_bars(out, r.hist, "  ");
    }
    out += '\n';
}

void append_block_latency_json(std::string& out, uint64_t ts_ns, const std::vector<BlockLatencyRow>& rows) {
    for (const auto& r : rows) {
        {
            JsonWriter w(out);
            w.begin_object()
                .field("type", "block_io_latency")
                .field("ts", ts_ns)
                .field("disk", r.disk)
                .field("op", r.op)
                .field("count", r.total.count)
                .field("bytes", r.bytes)
                .field("p50_ns", r.total.p50_ns)
                .field("p99_ns", r.total.p99_ns)
                .field("max_ns", r.total.max_ns)
                .field("queue_p50_ns", r.queue.p50_ns)
                .field("queue_p99_ns", r.queue.p99_ns)
                .field("device_p50_ns", r.device.p50_ns)
                .field("device_p99_ns", r.device.p99_ns);
        }
        append_buckets(out, r.total);
        out += "}\n";
    }
}

void append_block_latency_table(std::string& out, uint64_t ts_ns, const std::vector<BlockLatencyRow>& rows,
                                bool bars) {
    auto o = std::back_inserter(out);
    fmt::format_to(o, "[{}]\n{:<12} {:<8} {:>9} {:>11} {:>10} {:>10} {:>10} {:>10} {:>10}\n", clock_time(ts_ns), "DISK",
                   "OP", "COUNT", "BYTES", "P50", "P99", "MAX", "QUEUE_P50", "DEV_P50");
    for (const auto& r : rows) {
        fmt::format_to(o, "{:<12} {:<8} {:>9} {:>11} {:>10} {:>10} {:>10} {:>10} {:>10}\n", r.disk, r.op, r.total.count,
                       bytes_text(r.bytes), duration_text(r.total.p50_ns), duration_text(r.total.p99_ns),
                       duration_text(r.total.max_ns), percentile_text(r.queue, r.queue.p50_ns),
                       percentile_text(r.device, r.device.p50_ns));
        if (bars)
            append_histogram_bars(out, r.hist, "    ");
    }
    out += '\n';
}

void append_block_top_json(std::string& out, uint64_t ts_ns, const std::vector<BlockTopRow>& rows) {
    for (const auto& r : rows) {
        JsonWriter w(out);
        w.begin_object()
            .field("type", "block_io_process")
            .field("ts", ts_ns)
            .field("pid", r.pid)
            .field("comm", r.comm)
            .field("disk", r.disk)
            .field("ops", r.ops)
            .field("reads", r.reads)
            .field("writes", r.writes)
            .field("bytes", r.bytes)
            .field("read_bytes", r.read_bytes)
            .field("write_bytes", r.write_bytes)
            .field("avg_latency_ns", r.avg_latency_ns)
            .end_object();
        out += '\n';
    }
}

void append_block_top_table(std::string& out, uint64_t ts_ns, const std::vector<BlockTopRow>& rows) {
    auto o = std::back_inserter(out);
    fmt::format_to(o, "[{}]\n{:>7} {:<16} {:<12} {:>8} {:>8} {:>8} {:>11} {:>11} {:>10}\n", clock_time(ts_ns), "PID",
                   "COMM", "DISK", "OPS", "READS", "WRITES", "READ", "WRITTEN", "AVG_LAT");
    for (const auto& r : rows)
        fmt::format_to(o, "{:>7} {:<16} {:<12} {:>8} {:>8} {:>8} {:>11} {:>11} {:>10}\n", r.pid, r.comm, r.disk, r.ops,
                       r.reads, r.writes, bytes_text(r.read_bytes), bytes_text(r.write_bytes),
                       duration_text(r.avg_latency_ns));
    out += '\n';
}

void append_faults_json(std::string& out, uint64_t ts_ns, const std::vector<FaultRow>& rows) {
    for (const auto& r : rows) {
        JsonWriter w(out);
        w.begin_object()
            .field("type", "page_faults")
            .field("ts", ts_ns)
            .field("pid", r.pid)
            .field("comm", r.comm)
            .field("minor", r.minor)
            .field("major", r.major)
            .end_object();
        out += '\n';
    }
}

void append_faults_table(std::string& out, uint64_t ts_ns, const std::vector<FaultRow>& rows) {
    auto o = std::back_inserter(out);
    fmt::format_to(o, "[{}]\n{:>7} {:<16} {:>12} {:>12}\n", clock_time(ts_ns), "PID", "COMM", "MINOR", "MAJOR");
    for (const auto& r : rows)
        fmt::format_to(o, "{:>7} {:<16} {:>12} {:>12}\n", r.pid, r.comm, r.minor, r.major);
    out += '\n';
}

}  // namespace kscope
