#pragma once

#include <map>
#include <optional>

#include "events/drop_reasons.h"
#include "probes/probe.h"

namespace kscope {

class DropsProbe final : public Probe {
public:
    // summary_only: count by reason in the kernel, send no events.
    explicit DropsProbe(bool summary_only = false);
    std::string_view name() const override { return "drops"; }
    std::string_view description() const override {
        return "packet drops (skb:kfree_skb) with the kernel's drop reason, protocol and addresses";
    }
    bool has_events() const override { return !summary_only_; }
    Result<Event> decode(RawEvent raw, const DecodeContext& ctx) const override;

    // Drops counted so far, by reason name.
    Result<std::map<std::string, uint64_t>> counts() const;
    void append_metrics(PrometheusText& m) override;

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;

private:
    bool summary_only_;
    std::optional<DropReasons> reasons_;
};

}  // namespace kscope
