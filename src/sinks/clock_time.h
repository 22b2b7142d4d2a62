// Local wall-clock time of an event for human output ("14:03:59").
#pragma once

#include <cstdint>
#include <string>

namespace kscope {

std::string clock_time(uint64_t ts_ns);

}  // namespace kscope
