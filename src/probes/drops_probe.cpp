#include "probes/drops_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <vector>

#include "bpf/map_iter.h"
#include "drops.skel.h"
#include "kscope/abi/drops.h"

namespace kscope {

DropsProbe::DropsProbe(bool summary_only) : summary_only_(summary_only) {}

std::span<const uint8_t> DropsProbe::elf() const { return skeleton_elf(drops_bpf__elf_bytes); }

Result<void> DropsProbe::configure(BpfObject& obj) {
    auto names = DropReasons::load();
    if (!names)
        return names.error();
    reasons_.emplace(std::move(names.value()));
    return obj.set_const<bool>("emit_events", !summary_only_);
}

Result<Event> DropsProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    auto e = decode_drop(raw, ctx);
    if (!e)
        return e.error();
    e->reason = reasons_ ? reasons_->name(e->reason_code) : "REASON_" + std::to_string(e->reason_code);
    return Event(std::move(e.value()));
}

void DropsProbe::append_metrics(PrometheusText& m) {
    auto counts_now = counts();
    if (!counts_now)
        return;
    m.family("kscope_packet_drops_total", "counter", "packets the kernel dropped, by drop reason");
    for (const auto& [reason, n] : *counts_now)
        m.sample("kscope_packet_drops_total", {{"reason", reason}}, double(n));
}

Result<std::map<std::string, uint64_t>> DropsProbe::counts() const {
    if (!obj_ || !reasons_)
        return Error{"probe drops is not loaded"};
    auto fd = obj_->map_fd("reasons");
    if (!fd)
        return fd.error();
    std::map<std::string, uint64_t> out;
    for (uint32_t reason = 0; reason < KSCOPE_DROP_REASONS; reason++) {
        const uint64_t total = percpu_sum(*fd, reason);
        if (total)
            out[reasons_->name(reason)] += total;
    }
    return out;
}

}  // namespace kscope
