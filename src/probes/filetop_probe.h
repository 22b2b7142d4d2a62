#pragma once

#include "events/file_io.h"
#include "probes/probe.h"

namespace kscope {

class FiletopProbe final : public Probe {
public:
    std::string_view name() const override { return "filetop"; }
    std::string_view description() const override {
        return "reads and writes per process and file (regular, socket, pipe), aggregated in the kernel";
    }
    bool has_events() const override { return false; }

    Result<FileSnapshot> snapshot();
    // Removes the entries of processes that are gone (after their last report), and the
    // paths no process refers to any more.
    void forget_exited(FileSnapshot& snap);

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;
};

}  // namespace kscope
