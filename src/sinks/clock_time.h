// Local wall-clock time of an event for human output ("14:03:59").
#pragma once

#include <cstdint>
#include <string>

namespace kscope {

std::string clock_time(uint64_t ts_ns);
// Local date and time with milliseconds ("2026-12-01 14:03:59.123"), for stored events
// that span days.
std::string date_time(uint64_t ts_ns);

}  // namespace kscope
