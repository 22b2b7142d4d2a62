// The agent's structured logs (spdlog) on stderr: text, or one JSON object per line.
#pragma once

#include <string>

#include "util/result.h"

namespace kscope {

// level: trace, debug, info, warn, error; format: text, json.
Result<void> setup_logging(const std::string& level, const std::string& format);

}  // namespace kscope
