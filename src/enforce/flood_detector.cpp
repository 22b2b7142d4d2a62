#include "enforce/flood_detector.h"

#include <arpa/inet.h>

namespace kscope::enforce {

std::vector<FloodFinding> FloodDetector::observe(const std::vector<SourceTotals>& totals, uint64_t now_ns) {
    std::vector<FloodFinding> found;
    std::map<Key, Seen> current;
    const double seconds = read_before_ && now_ns > previous_ns_ ? double(now_ns - previous_ns_) / 1e9 : 0;
    for (const auto& t : totals) {
        const Key key{t.ifindex, t.addr};
        current[key] = {t.packets, t.udp, t.syn};
        auto before = previous_.find(key);
        if (seconds <= 0 || before == previous_.end())
            continue;  // a first reading, or a source first seen: no rate yet
        // A total that went down was evicted and counted again: the new total is the delta.
        auto delta = [](uint64_t now, uint64_t then) { return now >= then ? now - then : now; };
        const struct {
            const char* protocol;
            uint64_t count, limit;
        } checks[] = {{"udp", delta(t.udp, before->second.udp), limits_.udp_pps},
                      {"syn", delta(t.syn, before->second.syn), limits_.syn_pps},
                      {"any", delta(t.packets, before->second.packets), limits_.pps}};
        auto quiet = quiet_until_.find(t.addr);
        if (quiet != quiet_until_.end() && now_ns < quiet->second)
            continue;
        for (const auto& c : checks) {
            const double rate = double(c.count) / seconds;
            if (c.limit == 0 || rate <= double(c.limit))
                continue;
            found.push_back({t.ifindex, t.addr, c.protocol, rate, c.limit});
            quiet_until_[t.addr] = now_ns + limits_.cooldown_s * 1'000'000'000ull;
            break;
        }
    }
    std::erase_if(quiet_until_, [&](const auto& q) { return q.second <= now_ns; });
    previous_ = std::move(current);
    previous_ns_ = now_ns;
    read_before_ = true;
    return found;
}

std::string source_text(const SourceAddr& addr) {
    static constexpr uint8_t kV4Mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char text[INET6_ADDRSTRLEN] = {};
    if (std::equal(addr.begin(), addr.begin() + 12, kV4Mapped))
        inet_ntop(AF_INET, addr.data() + 12, text, sizeof text);
    else
        inet_ntop(AF_INET6, addr.data(), text, sizeof text);
    return text;
}

}  // namespace kscope::enforce
