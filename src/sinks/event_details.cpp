#include "sinks/event_details.h"

#include <nlohmann/json.hpp>
#include <set>

namespace kscope {

std::string event_details(const nlohmann::json& event) {
    static const std::set<std::string> common = {"type", "ts", "pid", "tid", "ppid", "uid", "gid", "comm",
                                                 "cgroup_id", "container_id"};
    std::string details;
    for (const auto& [k, v] : event.items()) {
        bool empty = (v.is_string() && v.get<std::string>().empty()) || (v.is_array() && v.empty());
        if (common.count(k) || empty)
            continue;
        details += (details.empty() ? "" : " ") + k + "=" + (v.is_string() ? v.get<std::string>() : v.dump());
    }
    return details;
}

}  // namespace kscope
