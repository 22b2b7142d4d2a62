#include "pipeline/container_id.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace kscope {
namespace {

constexpr size_t kIdLen = 64;

bool is_hex_id(std::string_view s) {
    return s.size() == kIdLen &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isxdigit(c); });
}

std::string_view strip_runtime_affixes(std::string_view part) {
    static constexpr std::array<std::string_view, 5> kPrefixes = {
        "docker-", "cri-containerd-", "crio-", "libpod-", "containerd-"};
    if (part.ends_with(".scope"))
        part.remove_suffix(6);
    for (auto prefix : kPrefixes) {
        if (part.starts_with(prefix)) {
            part.remove_prefix(prefix.size());
            break;
        }
    }
    return part;
}

}  // namespace

std::string container_id_from_cgroup(std::string_view path) {
    // Deepest component first: a container's own nested cgroups sit below its id.
    while (!path.empty()) {
        size_t slash = path.rfind('/');
        std::string_view part = slash == std::string_view::npos ? path : path.substr(slash + 1);
        if (part.find("conmon") == std::string_view::npos) {
            std::string_view id = strip_runtime_affixes(part);
            if (is_hex_id(id))
                return std::string(id);
        }
        if (slash == std::string_view::npos)
            break;
        path = path.substr(0, slash);
    }
    return "";
}

}  // namespace kscope
