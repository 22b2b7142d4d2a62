#pragma once

#include "probes/probe.h"

namespace kscope {

class TcpProbe final : public Probe {
public:
    std::string_view name() const override { return "tcp"; }
    std::string_view description() const override {
        return "TCP connect (with latency and failures), accept and close (lifetime, bytes, who closed)";
    }
    Result<Event> decode(RawEvent raw, const DecodeContext& ctx) const override;
    // ks_tcp_state's skipped runs are mostly picked up by ks_tcp_state_nested, which counts
    // them; the rest are lost. ks_tcp_state_nested's own skips happen while ks_tcp_state is
    // free to handle the change, so they lose nothing.
    uint64_t kernel_misses() const override;

protected:
    std::span<const uint8_t> elf() const override;
};

}  // namespace kscope
