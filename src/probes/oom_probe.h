#pragma once

#include "probes/probe.h"

namespace kscope {

class OomProbe final : public Probe {
public:
    std::string_view name() const override { return "oom"; }
    std::string_view description() const override {
        return "every OOM kill: victim, the task that ran out, memory cgroup, constraint, RSS";
    }
    Result<Event> decode(RawEvent raw, const DecodeContext& ctx) const override;
    // kscope_oom_kills_total (every kill, whatever the filters).
    void append_metrics(PrometheusText& m) override;
    std::string counters_text() const override;

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;
};

}  // namespace kscope
