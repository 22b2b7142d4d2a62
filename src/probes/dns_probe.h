#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "kscope/abi/dns.h"
#include "probes/probe.h"

namespace kscope {

// What the dns probe counts in the kernel (for --stats and metrics).
struct DnsCounters {
    uint64_t queries = 0, responses = 0, unmatched = 0, malformed = 0;
    uint64_t latency_sum_ns = 0;
    std::array<uint64_t, KSCOPE_DNS_RCODES> by_rcode{};
    std::array<uint64_t, KSCOPE_DNS_LATENCY_SLOTS> latency{};  // log2 ns slots
};

// DNS queries sent to and answers received from DNS ports, by any process in any network
// namespace (cgroup_skb on the cgroup2 root). ProbeOptions::dns_ports picks the server
// ports (53 when empty; at most KSCOPE_DNS_PORTS).
class DnsProbe final : public Probe {
public:
    std::string_view name() const override { return "dns"; }
    std::string_view description() const override {
        return "DNS queries and answers (name, type, rcode, addresses, latency) on UDP and TCP";
    }
    Result<Event> decode(RawEvent raw, const DecodeContext& ctx) const override;
    std::string counters_text() const override;
    void append_metrics(PrometheusText& m) override;
    Result<DnsCounters> counters() const;

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;
};

}  // namespace kscope
