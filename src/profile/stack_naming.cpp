#include "profile/stack_naming.h"

#include "profile/proc_maps.h"

namespace kscope {

std::vector<SymbolizedStack> name_stacks(const std::vector<StackSample>& samples,
                                         const std::map<uint32_t, ProcessMaps>& known, Symbolizer& symbolizer) {
    std::map<uint32_t, ProcessMaps> read_now;  // processes the loader never saw
    std::vector<SymbolizedStack> out;
    out.reserve(samples.size());
    static const ProcessMaps none;
    for (const auto& s : samples) {
        const ProcessMaps* maps = &none;
        if (auto it = known.find(s.pid); it != known.end()) {
            maps = &it->second;
        } else if (!s.user.empty()) {
            auto [it2, fresh] = read_now.try_emplace(s.pid);
            if (fresh)
                if (auto m = read_proc_maps(s.pid))
                    it2->second = std::move(*m);
            maps = &it2->second;
        }
        out.push_back(symbolizer.symbolize(s, *maps));
    }
    return out;
}

}  // namespace kscope
