#include <cstring>

#include "events/decode.h"
#include "kscope/abi/exec.h"

namespace kscope {
namespace {

const char* fd_type_name(uint8_t t) {
    switch (t) {
    case KSCOPE_FD_CLOSED: return "";
    case KSCOPE_FD_FILE: return "file";
    case KSCOPE_FD_DIRECTORY: return "directory";
    case KSCOPE_FD_PIPE: return "pipe";
    case KSCOPE_FD_CHAR: return "char";
    case KSCOPE_FD_BLOCK: return "block";
    case KSCOPE_FD_IPV4: return "ipv4";
    case KSCOPE_FD_IPV6: return "ipv6";
    case KSCOPE_FD_UNIX: return "unix";
    case KSCOPE_FD_NETLINK: return "netlink";
    case KSCOPE_FD_PACKET: return "packet";
    case KSCOPE_FD_SOCKET: return "socket";
    }
    return "other";
}

}  // namespace

Result<ExecEvent> decode_exec(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_EXEC, sizeof(kscope_exec_event), ctx);
    if (!common)
        return common.error().context("exec event");
    kscope_exec_event e;
    std::memcpy(&e, raw.data(), sizeof(e));
    const size_t var = size_t(e.filename_len) + e.args_len + e.cwd_len;
    if (sizeof(e) + var > raw.size())
        return Error{"exec event: filename, argv and cwd run past the event's end"};

    ExecEvent out;
    out.common = std::move(common.value());
    out.ret = e.ret;
    out.args_truncated = e.flags & KSCOPE_EXEC_ARGS_TRUNCATED;
    out.args_unreadable = e.flags & KSCOPE_EXEC_ARGS_UNREADABLE;
    out.execveat = e.flags & KSCOPE_EXEC_EXECVEAT;
    out.start_boot_ns = e.start_boot_ns;
    if (e.flags & KSCOPE_EXEC_CONTEXT) {
        out.privileged_exec = e.flags & KSCOPE_EXEC_PRIVILEGED;
        out.old_uid = e.old_uid;
        out.old_euid = e.old_euid;
        out.new_uid = e.new_uid;
        out.new_euid = e.new_euid;
        out.stdin_type = fd_type_name(e.fd_type[0]);
        out.stdout_type = fd_type_name(e.fd_type[1]);
        out.stderr_type = fd_type_name(e.fd_type[2]);
        out.exe_memfd = e.flags & KSCOPE_EXEC_EXE_MEMFD;
        // A memfd never has links; "deleted" means an unlinked file, as /proc says it.
        out.exe_deleted = (e.flags & KSCOPE_EXEC_EXE_DELETED) && !out.exe_memfd;
        out.exe_inode = e.exe_inode;
        out.tty = e.tty;
        out.loginuid = e.loginuid;
    }

    const char* p = reinterpret_cast<const char*>(raw.data()) + sizeof(e);
    out.filename.assign(p, strnlen(p, e.filename_len));
    p += e.filename_len;

    if (e.flags & KSCOPE_EXEC_CWD_RESOLVED)
        out.cwd.assign(p + e.args_len, e.cwd_len);

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
