// Interval reports of the latency-histogram tools (runqlat, biolat) and the per-process
// counter tools (biotop, faults): JSON lines or human tables.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/block_io_stats.h"
#include "events/page_fault_stats.h"
#include "events/runq_stats.h"

namespace kscope {

// {"type":"runq_latency","ts":…,("pid","comm"|"cgroup"),"count":…,"sum_ns":…,"p50_ns":…,
//  "p99_ns":…,"max_ns":…,"buckets":[[le_ns,count],…]} per row.
void append_runq_json(std::string& out, uint64_t ts_ns, const std::vector<RunqRow>& rows, RunqGroup group);
// Per row a title line (the process or cgroup, count, percentiles) and BCC-style bars.
void append_runq_table(std::string& out, uint64_t ts_ns, const std::vector<RunqRow>& rows, RunqGroup group);

// {"type":"block_io_latency","ts":…,"disk":…,"op":…,"count":…,"bytes":…,"p50_ns":…,
//  "p99_ns":…,"max_ns":…,"queue_p50_ns":…,"queue_p99_ns":…,"device_p50_ns":…,
//  "device_p99_ns":…,"buckets":[[le_ns,count],…]} per row.
void append_block_latency_json(std::string& out, uint64_t ts_ns, const std::vector<BlockLatencyRow>& rows);
// A table row per disk and operation; with bars, each row's histogram under it.
void append_block_latency_table(std::string& out, uint64_t ts_ns, const std::vector<BlockLatencyRow>& rows,
                                bool bars);

// {"type":"block_io_process","ts":…,"pid":…,"comm":…,"disk":…,"ops":…,"reads":…,
//  "writes":…,"bytes":…,"read_bytes":…,"write_bytes":…,"avg_latency_ns":…} per row.
void append_block_top_json(std::string& out, uint64_t ts_ns, const std::vector<BlockTopRow>& rows);
void append_block_top_table(std::string& out, uint64_t ts_ns, const std::vector<BlockTopRow>& rows);

// {"type":"page_faults","ts":…,"pid":…,"comm":…,"minor":…,"major":…} per row.
void append_faults_json(std::string& out, uint64_t ts_ns, const std::vector<FaultRow>& rows);
void append_faults_table(std::string& out, uint64_t ts_ns, const std::vector<FaultRow>& rows);

}  // namespace kscope
