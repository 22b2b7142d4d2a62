#pragma once

#include "probes/probe.h"

namespace kscope {

class ExitProbe final : public Probe {
public:
    std::string_view name() const override { return "exit"; }
    std::string_view description() const override {
        return "every process exit with exit code, signal and lifetime";
    }
    Result<Event> decode(RawEvent raw, const DecodeContext& ctx) const override;

protected:
    std::span<const uint8_t> elf() const override;
};

}  // namespace kscope
