#include "events/syscall_names.h"

#include <unordered_map>
#include <utility>

namespace kscope {
namespace {

constexpr std::pair<uint32_t, const char*> kTable[] = {
#include "syscall_table.inc"
};

}  // namespace

std::string syscall_name(uint32_t nr) {
    static const auto by_number = [] {
        std::unordered_map<uint32_t, const char*> m;
        for (auto [n, name] : kTable)
            m.emplace(n, name);
        return m;
    }();
    if (auto it = by_number.find(nr); it != by_number.end())
        return it->second;
    return "syscall_" + std::to_string(nr);
}

std::optional<uint32_t> syscall_number(std::string_view name) {
    for (auto [n, entry] : kTable)
        if (name == entry)
            return n;
    return std::nullopt;
}

}  // namespace kscope
