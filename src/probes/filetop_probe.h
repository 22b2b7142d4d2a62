#pragma once

#include "events/file_io.h"
#include "probes/probe.h"

namespace kscope {

class FiletopProbe final : public Probe {
public:
    // per_file false: only the totals by file type (the agent's metrics).
    explicit FiletopProbe(bool per_file = true) : per_file_(per_file) {}
    std::string_view name() const override { return "filetop"; }
    std::string_view description() const override {
        return "reads and writes per process and file (regular, socket, pipe), aggregated in the kernel";
    }
    bool has_events() const override { return false; }

    Result<FileSnapshot> snapshot();
    // Removes the entries of processes that are gone (after their last report), and the
    // paths no process refers to any more.
    void forget_exited(FileSnapshot& snap);
    // Operations and bytes read and written, by file type.
    void append_metrics(PrometheusText& m) override;

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;

private:
    bool per_file_;
};

}  // namespace kscope
