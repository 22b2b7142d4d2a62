#include "sinks/file_io_report.h"

#include <fmt/format.h>

#include <iterator>

#include "sinks/table_text.h"

#include "sinks/clock_time.h"
#include "sinks/json_writer.h"

namespace kscope {

void append_file_io_json(std::string& out, uint64_t ts_ns, const std::vector<FileIoRow>& rows) {
    for (const auto& r : rows) {
        JsonWriter w(out);
        w.begin_object()
            .field("type", "file_io")
            .field("ts", ts_ns)
            .field("pid", r.pid)
            .field("comm", r.comm)
            .field("path", r.path)
            .field("file_type", r.file_type)
            .field("reads", r.reads)
            .field("writes", r.writes)
            .field("read_bytes", r.read_bytes)
            .field("write_bytes", r.write_bytes)
            .end_object();
        out += '\n';
    }
}

void append_file_io_table(std::string& out, uint64_t ts_ns, const std::vector<FileIoRow>& rows) {
    const std::string when = clock_time(ts_ns);
    auto o = std::back_inserter(out);
    fmt::format_to(o, "[{}]\n{:>7} {:<16} {:>8} {:>8} {:>10} {:>10} {:<7} {}\n", when, "PID", "COMM", "READS",
                   "WRITES", "READ", "WRITTEN", "TYPE", "FILE");
    for (const auto& r : rows)
        fmt::format_to(o, "{:>7} {:<16} {:>8} {:>8} {:>10} {:>10} {:<7} {}\n", r.pid, r.comm, r.reads, r.writes,
                       human_bytes(r.read_bytes), human_bytes(r.write_bytes), r.file_type, r.path);
    out += '\n';
}

}  // namespace kscope
