#include "probes/exec_probe.h"

#include "exec.skel.h"

namespace kscope {

std::span<const uint8_t> ExecProbe::elf() const {
    size_t size = 0;
    const void* data = exec_bpf__elf_bytes(&size);
    return {static_cast<const uint8_t*>(data), size};
}

Result<Event> ExecProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    auto e = decode_exec(raw, ctx);
    if (!e)
        return e.error();
    return Event(std::move(e.value()));
}

}  // namespace kscope
