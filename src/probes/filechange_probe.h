#pragma once

#include "probes/probe.h"

namespace kscope {

// file_change and memfd_create events.
class FilechangeProbe final : public Probe {
public:
    std::string_view name() const override { return "filechange"; }
    std::string_view description() const override {
        return "chmod/chown/unlink/rename/link/symlink families and memfd_create, with paths resolved in the kernel";
    }
    Result<Event> decode(RawEvent raw, const DecodeContext& ctx) const override;
    // kscope_file_change_events_total{syscall} and kscope_memfd_create_events_total:
    // every call, whatever the filters.
    void append_metrics(PrometheusText& m) override;
    std::string counters_text() const override;

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;
};

}  // namespace kscope
