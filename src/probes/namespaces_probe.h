#pragma once

#include <string>
#include <utility>
#include <vector>

#include "probes/probe.h"

namespace kscope {

class NamespacesProbe final : public Probe {
public:
    std::string_view name() const override { return "namespaces"; }
    std::string_view description() const override {
        return "namespace changes (unshare, setns, clone/clone3 with CLONE_NEW*) and mounts (mount, umount2, "
               "pivot_root, chroot)";
    }
    Result<Event> decode(RawEvent raw, const DecodeContext& ctx) const override;
    // kscope_namespace_events_total{syscall} (every traced call, whatever the filters).
    void append_metrics(PrometheusText& m) override;
    std::string counters_text() const override;

protected:
    std::span<const uint8_t> elf() const override;

private:
    std::vector<std::pair<std::string, uint64_t>> syscall_counts() const;
};

}  // namespace kscope
