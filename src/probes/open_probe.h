#pragma once

#include "probes/probe.h"

namespace kscope {

class OpenProbe final : public Probe {
public:
    std::string_view name() const override { return "open"; }
    std::string_view description() const override {
        return "every open/openat/openat2/creat with flags, mode and the path resolved in the kernel";
    }
    Result<Event> decode(RawEvent raw, const DecodeContext& ctx) const override;

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;
};

}  // namespace kscope
