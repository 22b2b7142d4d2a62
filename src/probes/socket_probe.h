#pragma once

#include "probes/probe.h"

namespace kscope {

// socket events: socket(), bind() and listen() (new listeners).
class SocketProbe final : public Probe {
public:
    std::string_view name() const override { return "socket"; }
    std::string_view description() const override {
        return "socket(), bind() and listen() with family, type and local address: new listeners";
    }
    Result<Event> decode(RawEvent raw, const DecodeContext& ctx) const override;
    // kscope_socket_events_total{syscall}: every call, whatever the filters.
    void append_metrics(PrometheusText& m) override;
    std::string counters_text() const override;

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;
};

}  // namespace kscope
