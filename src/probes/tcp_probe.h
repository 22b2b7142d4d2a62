#pragma once

#include "probes/probe.h"

namespace kscope {

// One BPF object, two tools: `tcp` (connect/accept/close) and `retrans` (retransmits and
// resets); both need the socket owners the lifecycle programs record.
class TcpProbe final : public Probe {
public:
    explicit TcpProbe(bool retransmits = false) : retransmits_(retransmits) {}
    std::string_view name() const override { return retransmits_ ? "retrans" : "tcp"; }
    std::string_view description() const override {
        return retransmits_ ? "TCP retransmits and resets sent/received, with flow, state and owner"
                            : "TCP connect (with latency and failures), accept and close (lifetime, bytes, who closed)";
    }
    Result<Event> decode(RawEvent raw, const DecodeContext& ctx) const override;
    // ks_tcp_state's skipped runs are mostly picked up by ks_tcp_state_nested, which counts
    // them; the rest are lost. ks_tcp_state_nested's own skips happen while ks_tcp_state is
    // free to handle the change, so they lose nothing.
    uint64_t kernel_misses() const override;
    // Opened/accepted/failed/closed connections, retransmits, resets, connect latency.
    std::string counters_text() const override;
    void append_metrics(PrometheusText& m) override;

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;

private:
    bool retransmits_;
};

}  // namespace kscope
