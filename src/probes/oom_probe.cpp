#include "probes/oom_probe.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "bpf/features.h"

#include "bpf/map_iter.h"
#include "oom.skel.h"

namespace kscope {

std::span<const uint8_t> OomProbe::elf() const { return skeleton_elf(oom_bpf__elf_bytes); }

Result<void> OomProbe::configure(BpfObject&) {
    // Before 6.10 oom:mark_victim passed only the pid; its record then has no sizes.
    std::ifstream format(std::string(kTracefs) + "/events/oom/mark_victim/format");
    std::stringstream text;
    text << format.rdbuf();
    if (text.str().find("anon_rss") == std::string::npos)
        return Error{"kscope oom needs a kernel whose oom:mark_victim tracepoint passes the victim's task "
                     "(Linux 6.10 or newer)"};
    return {};
}

Result<Event> OomProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    static const uint64_t page_size = uint64_t(sysconf(_SC_PAGESIZE));
    return as_event(decode_oom(raw, ctx, page_size));
}

namespace {

uint64_t kills_counted(const std::optional<BpfObject>& obj) {
    if (!obj)
        return 0;
    auto fd = obj->map_fd("kills");
    return fd ? percpu_sum(*fd, 0) : 0;
}

}  // namespace

void OomProbe::append_metrics(PrometheusText& m) {
    if (!obj_)
        return;
    m.family("kscope_oom_kills_total", "counter", "processes killed by the OOM killer")
        .sample("kscope_oom_kills_total", double(kills_counted(obj_)));
}

std::string OomProbe::counters_text() const { return "oom: " + std::to_string(kills_counted(obj_)) + " OOM kills"; }

}  // namespace kscope
