#include "probes/tcp_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <vector>

#include "tcp.skel.h"

namespace kscope {

std::span<const uint8_t> TcpProbe::elf() const { return skeleton_elf(tcp_bpf__elf_bytes); }

Result<Event> TcpProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    return as_event(decode_tcp(raw, ctx));
}

Result<void> TcpProbe::configure(BpfObject& obj) {
    if (auto r = obj.set_const<bool>("emit_lifecycle", !retransmits_); !r)
        return r;
    return obj.set_const<bool>("emit_retransmits", retransmits_);
}

uint64_t TcpProbe::kernel_misses() const {
    if (!obj_)
        return 0;
    const uint64_t state = obj_->program_misses("ks_tcp_state");
    const uint64_t others = obj_->program_misses() - state - obj_->program_misses("ks_tcp_state_nested");
    uint64_t recovered = 0;
    if (auto fd = obj_->map_fd("recovered")) {
        std::vector<uint64_t> per_cpu(std::max(libbpf_num_possible_cpus(), 1));
        const uint32_t zero = 0;
        if (bpf_map_lookup_elem(*fd, &zero, per_cpu.data()) == 0)
            for (uint64_t n : per_cpu)
                recovered += n;
    }
    return others + (state > recovered ? state - recovered : 0);
}

}  // namespace kscope
