#include "probes/namespaces_probe.h"

#include <cstring>

#include "bpf/map_iter.h"
#include "events/decode_namespaces.h"
#include "kscope/abi/namespaces.h"
#include "namespaces.skel.h"

namespace kscope {

std::span<const uint8_t> NamespacesProbe::elf() const { return skeleton_elf(namespaces_bpf__elf_bytes); }

Result<Event> NamespacesProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    kscope_event_header h;
    if (raw.size() < sizeof(h))
        return Error{"namespaces probe: event of " + std::to_string(raw.size()) + " bytes has no header"};
    std::memcpy(&h, raw.data(), sizeof(h));
    if (h.type == KSCOPE_EVENT_NAMESPACE)
        return as_event(decode_namespace(raw, ctx));
    if (h.type == KSCOPE_EVENT_MOUNT)
        return as_event(decode_mount(raw, ctx));
    return Error{"namespaces probe: unexpected event type " + std::to_string(h.type)};
}

std::vector<std::pair<std::string, uint64_t>> NamespacesProbe::syscall_counts() const {
    std::vector<std::pair<std::string, uint64_t>> out;
    auto fd = obj_ ? obj_->map_fd("syscall_counts") : Result<int>(Error{"not loaded"});
    if (!fd)
        return out;
    for (uint16_t s = 0; s < KSCOPE_NS_SYSCALLS; s++)
        out.emplace_back(namespace_syscall_name(s), percpu_sum(*fd, s));
    return out;
}

void NamespacesProbe::append_metrics(PrometheusText& m) {
    auto counts = syscall_counts();
    if (counts.empty())
        return;
    m.family("kscope_namespace_events_total", "counter",
             "namespace changes (unshare, setns, clone/clone3 with CLONE_NEW* flags) and mount calls (mount, "
             "umount, pivot_root, chroot), by syscall");
    for (const auto& [syscall, n] : counts)
        m.sample("kscope_namespace_events_total", {{"syscall", syscall}}, double(n));
}

std::string NamespacesProbe::counters_text() const {
    std::string text;
    for (const auto& [syscall, n] : syscall_counts())
        if (n)
            text += (text.empty() ? "" : ", ") + syscall + " " + std::to_string(n);
    std::string out = "namespaces: calls seen in the kernel: " + (text.empty() ? std::string("none") : text);
    // Calls whose arguments found no room until their exit (more at once than the map holds).
    if (uint64_t lost = kernel_drops(KSCOPE_DROP_MAP_FULL))
        out += "; " + std::to_string(lost) + " lost (too many at once)";
    return out;
}

}  // namespace kscope
