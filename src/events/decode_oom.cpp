#include <cstring>

#include "events/decode.h"
#include "kscope/abi/oom.h"

namespace kscope {

Result<OomEvent> decode_oom(RawEvent raw, const DecodeContext& ctx, uint64_t page_size) {
    auto common = decode_header(raw, KSCOPE_EVENT_OOM, sizeof(kscope_oom_event), ctx);
    if (!common)
        return common.error().context("oom event");
    kscope_oom_event e;
    std::memcpy(&e, raw.data(), sizeof(e));

    OomEvent out;
    out.common = std::move(common.value());
    out.trigger_pid = e.trigger_pid;
    out.trigger_comm.assign(e.trigger_comm, strnlen(e.trigger_comm, sizeof(e.trigger_comm)));
    out.constraint = e.constraint == KSCOPE_OOM_MEMCG ? "memcg" : "global";
    if (e.constraint == KSCOPE_OOM_MEMCG) {
        size_t len = std::min<size_t>(e.memcg_path_len, sizeof(e.memcg_path));
        out.memcg.assign(e.memcg_path, strnlen(e.memcg_path, len));
        if (out.memcg.empty())
            out.memcg = "/";
        out.memcg_limit_bytes = e.memcg_limit_pages * page_size;
    }
    out.rss_bytes = e.rss_pages * page_size;
    out.oom_score_adj = e.oom_score_adj;
    return out;
}

}  // namespace kscope
