#pragma once

#include "events/tcp_traffic.h"
#include "probes/probe.h"

namespace kscope {

class TcptopProbe final : public Probe {
public:
    std::string_view name() const override { return "tcptop"; }
    std::string_view description() const override {
        return "TCP bytes sent and received per process and flow, counted in the kernel";
    }
    bool has_events() const override { return false; }

    Result<FlowSnapshot> snapshot();
    // Removes the flows of processes that are gone, after their last report.
    void forget_exited(FlowSnapshot& snap);

protected:
    std::span<const uint8_t> elf() const override;
};

}  // namespace kscope
