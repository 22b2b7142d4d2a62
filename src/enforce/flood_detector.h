// Flood judgement (pure): readings of every source's packet totals (summed over CPUs, as
// the flood program counts them) -> the sources whose rate since the previous reading is
// over a limit. A source found is not reported again until its cooldown has passed (it is
// blocked meanwhile when mitigating), so a flood is one alert per cooldown, not one per
// reading.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace kscope::enforce {

// flood: {udp_pps, syn_pps, pps, cooldown}; 0 turns a limit off.
struct FloodLimits {
    uint64_t udp_pps = 50'000;
    uint64_t syn_pps = 20'000;
    uint64_t pps = 200'000;
    uint64_t cooldown_s = 60;
    bool operator==(const FloodLimits&) const = default;
};

using SourceAddr = std::array<uint8_t, 16>;  // IPv4 as ::ffff:a.b.c.d

struct SourceTotals {
    uint32_t ifindex = 0;
    SourceAddr addr{};
    uint64_t packets = 0, udp = 0, syn = 0;
};

struct FloodFinding {
    uint32_t ifindex = 0;
    SourceAddr addr{};
    std::string protocol;  // udp, syn, any (the limit crossed; udp and syn before any)
    double rate_pps = 0;
    uint64_t limit_pps = 0;
};

class FloodDetector {
public:
    explicit FloodDetector(FloodLimits limits) : limits_(limits) {}
    // One reading at now_ns (monotonic); sources missing from it are forgotten (evicted).
    std::vector<FloodFinding> observe(const std::vector<SourceTotals>& totals, uint64_t now_ns);
    const FloodLimits& limits() const { return limits_; }

private:
    using Key = std::pair<uint32_t, SourceAddr>;
    struct Seen {
        uint64_t packets = 0, udp = 0, syn = 0;
    };
    FloodLimits limits_;
    std::map<Key, Seen> previous_;
    std::map<SourceAddr, uint64_t> quiet_until_;  // reported: not again before this
    uint64_t previous_ns_ = 0;
    bool read_before_ = false;
};

// "10.0.0.2", "fd00::2".
std::string source_text(const SourceAddr& addr);

}  // namespace kscope::enforce
