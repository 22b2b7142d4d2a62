// kscope top's numbers (pure): cumulative per-process and per-program totals at two
// moments -> rates per row, sorted and filtered as the keys chose.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "bpf/program_list.h"

namespace kscope::top {

// What one process has done since it started (or since kscope saw it first).
struct ProcessTotals {
    std::string comm;
    uint64_t cpu_ticks = 0;               // utime + stime, clock ticks
    uint64_t syscalls = 0, syscall_errors = 0;
    uint64_t rx_bytes = 0, tx_bytes = 0;  // TCP payload
    uint64_t read_bytes = 0, write_bytes = 0;  // storage I/O (/proc/PID/io)
};
using ProcessSnapshot = std::map<uint32_t, ProcessTotals>;

struct ProcessRow {
    uint32_t pid = 0;
    std::string comm;
    double cpu_pct = 0;  // of one CPU, as top shows it
    double syscalls_ps = 0, errors_ps = 0;
    double rx_bps = 0, tx_bps = 0;
    double read_bps = 0, write_bps = 0;
};

enum class SortKey { Cpu, Syscalls, Errors, Rx, Tx, Read, Write, Pid, Name };
// "cpu", "syscalls", "errors", "rx", "tx", "read", "write", "pid", "name".
std::string_view sort_key_name(SortKey k);
bool sort_key_from_name(std::string_view name, SortKey& out);

struct ViewOptions {
    SortKey sort = SortKey::Cpu;
    std::string filter;  // a substring of the command name ("" = all)
};

// Rates over `seconds` between two snapshots; processes new in `now` count from 0 for the
// kernel counters (and from their start for CPU and I/O, which /proc keeps since then).
std::vector<ProcessRow> process_rows(const ProcessSnapshot& before, const ProcessSnapshot& now, double seconds,
                                     double ticks_per_second, const ViewOptions& view);

struct ProgramRow {
    uint32_t id = 0;
    std::string name, type;
    double runs_ps = 0;
    double ns_per_run = 0;  // in this interval (0 without runs)
    double cpu_pct = 0;     // run time as a share of one CPU
};

// The programs of `now`, busiest (CPU) first.
std::vector<ProgramRow> program_rows(const std::vector<BpfProgramInfo>& before, const std::vector<BpfProgramInfo>& now,
                                     double seconds);

// "1.2K", "15.0M": rates in little room.
std::string short_rate(double v);

}  // namespace kscope::top
