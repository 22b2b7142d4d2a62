// One interval of TCP traffic (tcptop) as a table or as JSON lines.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/tcp_traffic.h"

namespace kscope {

// {"type":"tcp_traffic","ts":…,"pid":…,"comm":…,"saddr":…,"sport":…,"daddr":…,"dport":…,
// "tx_bytes":…,"rx_bytes":…} per row.
void append_tcp_traffic_json(std::string& out, uint64_t ts_ns, const std::vector<FlowRow>& rows);
void append_tcp_traffic_table(std::string& out, uint64_t ts_ns, const std::vector<FlowRow>& rows);

}  // namespace kscope
