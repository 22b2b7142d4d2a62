// JIT symbols from /tmp/perf-PID.map (written by V8/Node --perf-basic-prof, the JVM's
// perf-map-agent, .NET, LuaJIT, ...): "START SIZE name" per line, hex numbers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kscope {

struct PerfMapSymbol {
    uint64_t start = 0, size = 0;
    std::string name;
};

class PerfMap {
public:
    // Lines that do not parse are skipped. A later entry for the same start replaces
    // the earlier one (JITs re-emit code at reused addresses).
    static PerfMap parse(std::string_view text);
    // An unreadable or missing file gives an empty map.
    static PerfMap load(const std::string& path);

    // The symbol whose [start, start+size) holds addr, or nullptr.
    const PerfMapSymbol* find(uint64_t addr) const;
    size_t size() const { return symbols_.size(); }

private:
    std::vector<PerfMapSymbol> symbols_;  // sorted by start, unique starts
};

}  // namespace kscope
