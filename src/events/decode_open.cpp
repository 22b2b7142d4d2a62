#include <cstring>
#include <filesystem>
#include <string_view>

#include "events/decode.h"
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

// Whether a path has nothing lexically_normal would change (the common case, and
// std::filesystem is slow enough to matter at a million opens a second).
bool plainly_normal(std::string_view p) {
    if (p.empty())
        return false;
    for (size_t i = 0; i < p.size(); i++) {
        if (p[i] == '/' && i + 1 < p.size() && p[i + 1] == '/')
            return false;
        bool at_start = i == 0 || p[i - 1] == '/';
        if (at_start && p[i] == '.') {
            size_t end = p.find('/', i);
            std::string_view part = p.substr(i, end == std::string_view::npos ? end : end - i);
            if (part == "." || part == "..")
                return false;
        }
    }
    return p.size() == 1 || p.back() != '/';
}

// lexically_normal, without the trailing '/' it adds after a final ".." or ".".
std::string normalized(const std::filesystem::path& p, bool keep_trailing_slash) {
    std::string out = p.lexically_normal().string();
    if (!keep_trailing_slash && out.size() > 1 && out.back() == '/')
        out.pop_back();
    return out;
}

std::string join_normal(std::string_view base, std::string_view rel) {
    if (plainly_normal(base) && plainly_normal(rel) && base.front() == '/' && rel.front() != '/') {
        std::string out(base);
        if (out.back() != '/')
            out += '/';
        out.append(rel);
        return out;
    }
    return normalized(std::filesystem::path(base) / rel, rel.ends_with('/'));
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
        out.resolved_path =
            plainly_normal(out.path) ? out.path : normalized(out.path, out.path.ends_with('/'));
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
