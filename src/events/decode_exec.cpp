#include <cstring>

#include "events/decode.h"
#include "kscope/abi/exec.h"

namespace kscope {

Result<ExecEvent> decode_exec(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_EXEC, sizeof(kscope_exec_event), ctx);
    if (!common)
        return common.error().context("exec event");
    kscope_exec_event e;
    std::memcpy(&e, raw.data(), sizeof(e));
    const size_t var = size_t(e.filename_len) + e.args_len;
    if (sizeof(e) + var > raw.size())
        return Error{"exec event: filename and argv run past the event's end"};

    ExecEvent out;
    out.common = std::move(common.value());
    out.ret = e.ret;
    out.args_truncated = e.flags & KSCOPE_EXEC_ARGS_TRUNCATED;
    out.args_unreadable = e.flags & KSCOPE_EXEC_ARGS_UNREADABLE;
    out.execveat = e.flags & KSCOPE_EXEC_EXECVEAT;
    out.start_boot_ns = e.start_boot_ns;

    const char* p = reinterpret_cast<const char*>(raw.data()) + sizeof(e);
    out.filename.assign(p, strnlen(p, e.filename_len));
    p += e.filename_len;

    // argv: NUL-terminated strings; a last string without its NUL was cut short.
    const char* end = p + e.args_len;
    while (p < end) {
        const void* nul = std::memchr(p, '\0', end - p);
        const char* stop = nul ? static_cast<const char*>(nul) : end;
        if (out.argv.size() == ctx.max_args) {
            out.args_truncated = true;
            break;
        }
        out.argv.emplace_back(p, stop);
        if (!nul)
            out.args_truncated = true;
        p = stop + 1;
    }
    return out;
}

}  // namespace kscope
