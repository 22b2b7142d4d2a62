#include "probes/filechange_probe.h"

#include <cstring>
#include <vector>

#include "bpf/map_iter.h"
#include "events/decode_filechange.h"
#include "filechange.skel.h"
#include "kscope/abi/filechange.h"
#include "probes/syscall_programs.h"

namespace kscope {

std::span<const uint8_t> FilechangeProbe::elf() const { return skeleton_elf(filechange_bpf__elf_bytes); }

Result<void> FilechangeProbe::configure(BpfObject& obj) {
    std::vector<const char*> syscalls;
    for (uint16_t s = 0; s < KSCOPE_FC_SYSCALLS; s++)
        syscalls.push_back(filechange_syscall_name(s));
    return configure_syscall_programs(obj, syscalls);
}

Result<Event> FilechangeProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    kscope_event_header h{};
    if (raw.size() >= sizeof(h))
        std::memcpy(&h, raw.data(), sizeof(h));
    if (h.type == KSCOPE_EVENT_MEMFD_CREATE)
        return as_event(decode_memfd_create(raw, ctx));
    return as_event(decode_file_change(raw, ctx));
}

namespace {

// Calls per syscall, summed over CPUs; empty when the probe is not loaded.
std::vector<uint64_t> calls_counted(const std::optional<BpfObject>& obj) {
    std::vector<uint64_t> out;
    auto fd = obj ? obj->map_fd("calls") : Result<int>(Error{"not loaded"});
    if (!fd)
        return out;
    for (uint32_t s = 0; s < KSCOPE_FC_SYSCALLS; s++)
        out.push_back(percpu_sum(*fd, s));
    return out;
}

}  // namespace

void FilechangeProbe::append_metrics(PrometheusText& m) {
    auto calls = calls_counted(obj_);
    if (calls.empty())
        return;
    m.family("kscope_file_change_events_total", "counter",
             "file metadata and name changes (chmod, chown, unlink, rename, link, symlink families) by syscall");
    for (uint16_t s = 0; s < KSCOPE_FC_SYSCALLS; s++)
        if (s != KSCOPE_FC_MEMFD_CREATE)
            m.sample("kscope_file_change_events_total", {{"syscall", filechange_syscall_name(s)}}, double(calls[s]));
    m.family("kscope_memfd_create_events_total", "counter", "memfd_create calls (anonymous, possibly executable files)")
        .sample("kscope_memfd_create_events_total", double(calls[KSCOPE_FC_MEMFD_CREATE]));
}

std::string FilechangeProbe::counters_text() const {
    std::string text;
    auto calls = calls_counted(obj_);
    for (uint16_t s = 0; s < calls.size(); s++)
        if (calls[s])
            text += std::string(text.empty() ? "" : " ") + filechange_syscall_name(s) + "=" + std::to_string(calls[s]);
    return "filechange: calls " + (text.empty() ? "none" : text);
}

}  // namespace kscope
