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

protected:
    std::span<const uint8_t> elf() const override;
};

}  // namespace kscope
