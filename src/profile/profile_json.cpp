#include "profile/profile_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <tuple>

#include "sinks/json_writer.h"

namespace kscope {
namespace {

struct Merged {
    const SymbolizedStack* first;
    uint64_t count;
};

std::string frames_key(const SymbolizedStack& s) {
    std::string key = fmt::format("{}\x1f{}", s.pid, s.comm);
    for (const auto& f : s.frames)
        fmt::format_to(std::back_inserter(key), "\x1f{}\x1e{}\x1e{:x}\x1e{}", f.function, f.module, f.address,
                       f.kernel ? 1 : 0);
    return key;
}

}  // namespace

std::string write_profile_json(const std::vector<SymbolizedStack>& stacks) {
    std::map<std::string, Merged> merged;
    for (const auto& s : stacks) {
        if (s.count == 0)
            continue;
        auto [it, added] = merged.emplace(frames_key(s), Merged{&s, 0});
        it->second.count += s.count;
    }
    std::vector<const Merged*> order;
    for (const auto& [key, m] : merged)
        order.push_back(&m);
    // Busiest first; the key order (pid, comm, frames) breaks ties so output is stable.
    std::stable_sort(order.begin(), order.end(), [](const Merged* a, const Merged* b) { return a->count > b->count; });
    std::string out;
    for (const Merged* m : order) {
        const SymbolizedStack& s = *m->first;
        JsonWriter w(out);
        w.begin_object().field("type", "profile_stack").field("pid", s.pid).field("comm", s.comm).field("count", m->count);
        w.begin_array("frames");
        for (const auto& f : s.frames) {
            w.begin_object()
                .field("function", f.function)
                .field("module", f.module)
                .field("address", fmt::format("0x{:x}", f.address))
                .field("kernel", f.kernel)
                .end_object();
        }
        w.end_array().end_object();
        out += '\n';
    }
    return out;
}

}  // namespace kscope
