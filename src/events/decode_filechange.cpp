#include "events/decode_filechange.h"

#include <cstring>
#include <string_view>

#include "events/path_join.h"
#include "kscope/abi/filechange.h"

namespace kscope {

const char* filechange_syscall_name(uint16_t syscall) {
    // Indexed by enum kscope_filechange_syscall; also the probe's program names.
    static constexpr const char* kNames[KSCOPE_FC_SYSCALLS] = {
        "chmod",  "fchmod",   "fchmodat", "fchmodat2",
        "chown",  "fchown",   "lchown",   "fchownat",
        "unlink", "unlinkat", "rename",   "renameat",  "renameat2",
        "link",   "linkat",   "symlink",  "symlinkat", "memfd_create",
    };
    return syscall < KSCOPE_FC_SYSCALLS ? kNames[syscall] : "unknown";
}

namespace {

struct Resolved {
    std::string path, resolved;
};

// One name as carried (enum kscope_fc_name_flags): the name as passed and its absolute
// form from the base the kernel walked.
Resolved resolve(std::string_view name, std::string_view base, unsigned flags) {
    Resolved r{std::string(name), ""};
    if (flags & KSCOPE_FC_NAME_UNREADABLE)
        return r;
    if (flags & KSCOPE_FC_BASE_IS_FILE) {  // fchmod, fchown, AT_EMPTY_PATH: the fd's file
        r.resolved = std::string(base);
        if (r.path.empty())
            r.path = r.resolved;
    } else if (!name.empty() && name.front() == '/') {
        r.resolved = normal_path(name);
    } else if (flags & KSCOPE_FC_BASE_RESOLVED) {
        r.resolved = join_normal(base, name);
    }
    return r;
}

}  // namespace

Result<FileChangeEvent> decode_file_change(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_FILE_CHANGE, sizeof(kscope_filechange_event), ctx);
    if (!common)
        return common.error().context("file_change event");
    kscope_filechange_event e;
    std::memcpy(&e, raw.data(), sizeof(e));
    const size_t var = size_t(e.path_len) + e.base_len + e.new_path_len + e.new_base_len;
    if (sizeof(e) + var > raw.size())
        return Error{"file_change event: paths run past the event's end"};
    if (e.syscall >= KSCOPE_FC_SYSCALLS || e.syscall == KSCOPE_FC_MEMFD_CREATE)
        return Error{"file_change event of unknown syscall " + std::to_string(e.syscall)};

    FileChangeEvent out;
    out.common = std::move(common.value());
    out.syscall = filechange_syscall_name(e.syscall);
    out.ret = e.ret;
    out.fd = e.fd;
    out.mode = e.mode;
    for (auto [bit, name] : {std::pair{04000u, "S_ISUID"}, {02000u, "S_ISGID"}, {01000u, "S_ISVTX"}})
        if (e.mode & bit)
            out.mode_bits.emplace_back(name);
    out.owner_uid = e.owner_uid == UINT32_MAX ? -1 : int64_t(e.owner_uid);
    out.owner_gid = e.owner_gid == UINT32_MAX ? -1 : int64_t(e.owner_gid);

    const char* p = reinterpret_cast<const char*>(raw.data()) + sizeof(e);
    auto take = [&p](size_t n) {
        std::string_view s(p, n);
        p += n;
        return s;
    };
    std::string_view path = take(e.path_len), base = take(e.base_len);
    std::string_view new_path = take(e.new_path_len), new_base = take(e.new_base_len);
    const bool symlink = e.syscall == KSCOPE_FC_SYMLINK || e.syscall == KSCOPE_FC_SYMLINKAT;
    if (symlink) {  // the target is text stored in the link, never looked up
        out.path = std::string(path);
    } else {
        Resolved r = resolve(path, base, e.flags & 0xff);
        out.path = std::move(r.path);
        out.resolved_path = std::move(r.resolved);
    }
    if (e.new_path_len || (e.flags >> KSCOPE_FC_NEW_NAME_SHIFT)) {
        Resolved r = resolve(new_path, new_base, e.flags >> KSCOPE_FC_NEW_NAME_SHIFT);
        out.new_path = std::move(r.path);
        out.resolved_new_path = std::move(r.resolved);
    }
    return out;
}

Result<MemfdCreateEvent> decode_memfd_create(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_MEMFD_CREATE, sizeof(kscope_memfd_event), ctx);
    if (!common)
        return common.error().context("memfd_create event");
    kscope_memfd_event e;
    std::memcpy(&e, raw.data(), sizeof(e));
    if (sizeof(e) + size_t(e.name_len) > raw.size())
        return Error{"memfd_create event: name runs past the event's end"};
    MemfdCreateEvent out;
    out.common = std::move(common.value());
    out.name.assign(reinterpret_cast<const char*>(raw.data()) + sizeof(e), e.name_len);
    out.flags = e.mfd_flags;
    out.ret = e.ret;
    return out;
}

}  // namespace kscope
