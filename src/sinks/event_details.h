// One line of key=value pairs for an event's own fields (the common fields and empty
// values left out): the DETAILS column of `kscope query` and of the security tools.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>

namespace kscope {

std::string event_details(const nlohmann::json& event);

}  // namespace kscope
