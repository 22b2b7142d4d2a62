#include "sinks/table_text.h"

#include <fmt/format.h>

namespace kscope {

std::string human_bytes(uint64_t bytes) {
    if (bytes < 1024)
        return fmt::format("{} B", bytes);
    static constexpr const char* units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double v = double(bytes) / 1024;
    size_t u = 0;
    while (v >= 1024 && u + 1 < std::size(units)) {
        v /= 1024;
        u++;
    }
    return fmt::format("{:.1f} {}", v, units[u]);
}

std::string endpoint_text(const std::string& addr, uint16_t port) {
    if (addr.empty())
        return "-";
    if (!port)
        return addr;
    return addr.find(':') != std::string::npos ? fmt::format("[{}]:{}", addr, port) : fmt::format("{}:{}", addr, port);
}

}  // namespace kscope
