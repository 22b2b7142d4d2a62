#pragma once

#include "probes/probe.h"

namespace kscope {

class ExecProbe final : public Probe {
public:
    std::string_view name() const override { return "exec"; }
    std::string_view description() const override {
        return "every execve/execveat, successful or failed, with argv";
    }
    Result<Event> decode(RawEvent raw, const DecodeContext& ctx) const override;

protected:
    std::span<const uint8_t> elf() const override;
};

}  // namespace kscope
