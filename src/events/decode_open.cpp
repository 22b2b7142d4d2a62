#include <cstring>
#include <string_view>

#include "events/decode.h"
#include "events/path_join.h"
#include "kscope/abi/open.h"

namespace kscope {
namespace {

const char* syscall_name(uint16_t s) {
    switch (s) {
    case KSCOPE_OPEN_OPEN: return "open";
    case KSCOPE_OPEN_OPENAT: return "openat";
    case KSCOPE_OPEN_OPENAT2: return "openat2";
    case KSCOPE_OPEN_CREAT: return "creat";
    }
    return "unknown";
}

}  // namespace

Result<OpenEvent> decode_open(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_OPEN, sizeof(kscope_open_event), ctx);
    if (!common)
        return common.error().context("open event");
    kscope_open_event e;
    std::memcpy(&e, raw.data(), sizeof(e));
    if (sizeof(e) + size_t(e.path_len) + e.base_len > raw.size())
        return Error{"open event: path runs past the event's end"};

    OpenEvent out;
    out.common = std::move(common.value());
    out.syscall = syscall_name(e.syscall);
    out.ret = e.ret;
    out.open_flags = e.open_flags;
    out.resolve_flags = e.resolve;
    out.mode = e.mode;
    out.dirfd = e.dirfd;
    const char* p = reinterpret_cast<const char*>(raw.data()) + sizeof(e);
    out.path.assign(p, e.path_len);

    if (e.flags & KSCOPE_OPEN_PATH_UNREADABLE) {
        out.resolution = "unreadable";
    } else if (!out.path.empty() && out.path[0] == '/') {
        out.resolution = "as_passed";
        out.resolved_path = normal_path(out.path);
    } else if (e.flags & KSCOPE_OPEN_BASE_RESOLVED) {
        std::string base(p + e.path_len, e.base_len);
        out.resolution = e.dirfd == -100 ? "cwd" : "dirfd";
        out.resolved_path = join_normal(base, out.path);
    } else if (e.flags & KSCOPE_OPEN_BASE_BAD_DIRFD) {
        out.resolution = "bad_dirfd";
    } else {
        out.resolution = "too_deep";
    }
    return out;
}

}  // namespace kscope
