// The inverse of sinks/event_json.cpp for the security probes' types: privilege, ptrace,
// module_load, bpf, perf_event_open, userfaultfd, namespace, mount, file_change,
// memfd_create, socket. Their "error" (from ret) and the fixed "syscall" of the one-syscall
// types are the writer's and ignored here.
#include <cstdint>

#include "events/event_json_reader.h"

namespace kscope::event_json {
namespace {

// `syscall` as each probe names it (Falco's evt.type; umount2 is the kernel's "umount").
constexpr const char* kPrivilegeSyscalls[] = {"setuid",    "setgid",    "setreuid", "setregid",  "setresuid",
                                              "setresgid", "setfsuid",  "setfsgid", "setgroups", "capset"};
constexpr const char* kPtraceSyscalls[] = {"ptrace", "process_vm_writev"};
constexpr const char* kModuleSyscalls[] = {"init_module", "finit_module"};
constexpr const char* kNamespaceSyscalls[] = {"unshare", "setns", "clone", "clone3"};
constexpr const char* kMountSyscalls[] = {"mount", "umount", "pivot_root", "chroot"};
constexpr const char* kFileChangeSyscalls[] = {
    "chmod",  "fchmod",   "fchmodat",  "fchmodat2", "chown", "fchown",  "lchown",  "fchownat", "unlink",
    "unlinkat", "rename", "renameat",  "renameat2", "link",  "linkat",  "symlink", "symlinkat"};
constexpr const char* kSocketSyscalls[] = {"socket", "bind", "listen"};

Result<Event> parse_privilege(Reader& r) {
    PrivilegeEvent e;
    r.common(e.common);
    r.known("syscall", e.syscall, kPrivilegeSyscalls);
    r.number("old_uid", e.old_uid);
    r.number("old_euid", e.old_euid);
    r.number("old_suid", e.old_suid);
    r.number("old_fsuid", e.old_fsuid);
    r.number("old_gid", e.old_gid);
    r.number("old_egid", e.old_egid);
    r.number("old_sgid", e.old_sgid);
    r.number("old_fsgid", e.old_fsgid);
    r.number("new_uid", e.new_uid);
    r.number("new_euid", e.new_euid);
    r.number("new_suid", e.new_suid);
    r.number("new_fsuid", e.new_fsuid);
    r.number("new_gid", e.new_gid);
    r.number("new_egid", e.new_egid);
    r.number("new_sgid", e.new_sgid);
    r.number("new_fsgid", e.new_fsgid);
    r.hex("old_cap_effective", e.old_cap_effective);
    r.hex("new_cap_effective", e.new_cap_effective);
    r.hex("old_cap_permitted", e.old_cap_permitted);
    r.hex("new_cap_permitted", e.new_cap_permitted);
    r.number("ret", e.ret);
    return r.finish(std::move(e));
}

Result<Event> parse_ptrace(Reader& r) {
    PtraceEvent e;
    r.common(e.common);
    r.known("syscall", e.syscall, kPtraceSyscalls);
    r.text("request", e.request);
    r.number("request_code", e.request_code);
    r.number("target_pid", e.target_pid);
    r.text("target_comm", e.target_comm);
    r.number("bytes", e.bytes);
    r.number("ret", e.ret);
    return r.finish(std::move(e));
}

Result<Event> parse_module_load(Reader& r) {
    ModuleLoadEvent e;
    r.common(e.common);
    r.known("syscall", e.syscall, kModuleSyscalls);
    r.text("name", e.name);
    r.text("path", e.path);
    r.text("params", e.params);
    r.number("ret", e.ret);
    return r.finish(std::move(e));
}

Result<Event> parse_bpf(Reader& r) {
    BpfEvent e;
    r.common(e.common);
    r.text("command", e.command);
    r.text("prog_type", e.prog_type);
    r.text("map_type", e.map_type);
    r.text("name", e.name);
    r.number("ret", e.ret);
    return r.finish(std::move(e));
}

Result<Event> parse_perf_event_open(Reader& r) {
    PerfEventOpenEvent e;
    r.common(e.common);
    r.number("perf_type", e.perf_type);
    r.text("perf_type_name", e.perf_type_name);
    r.number("config", e.config);
    r.number("target_pid", e.target_pid);
    r.number("cpu", e.cpu);
    r.number("ret", e.ret);
    return r.finish(std::move(e));
}

Result<Event> parse_userfaultfd(Reader& r) {
    UserfaultfdEvent e;
    r.common(e.common);
    r.number("flags", e.flags);
    r.number("ret", e.ret);
    return r.finish(std::move(e));
}

Result<Event> parse_namespace_change(Reader& r) {
    NamespaceEvent e;
    r.common(e.common);
    r.known("syscall", e.syscall, kNamespaceSyscalls);
    r.strings("namespaces", e.namespaces);
    r.hex("flags", e.flags);
    r.number("fd", e.fd);
    r.number("ret", e.ret);
    return r.finish(std::move(e));
}

Result<Event> parse_mount(Reader& r) {
    MountEvent e;
    r.common(e.common);
    r.known("syscall", e.syscall, kMountSyscalls);
    r.text("source", e.source);
    r.text("target", e.target);
    r.text("fstype", e.fstype);
    r.hex("flags", e.flags);
    r.number("ret", e.ret);
    return r.finish(std::move(e));
}

Result<Event> parse_file_change(Reader& r) {
    FileChangeEvent e;
    r.common(e.common);
    r.known("syscall", e.syscall, kFileChangeSyscalls);
    r.text("path", e.path);
    r.text("resolved_path", e.resolved_path);
    r.text("new_path", e.new_path);
    r.text("resolved_new_path", e.resolved_new_path);
    r.octal("mode", e.mode);  // "" for 0
    r.strings("mode_bits", e.mode_bits);
    r.number("owner_uid", e.owner_uid);
    r.number("owner_gid", e.owner_gid);
    r.number("fd", e.fd);
    r.number("ret", e.ret);
    return r.finish(std::move(e));
}

Result<Event> parse_memfd_create(Reader& r) {
    MemfdCreateEvent e;
    r.common(e.common);
    r.text("name", e.name);
    r.number("flags", e.flags);
    r.number("ret", e.ret);
    return r.finish(std::move(e));
}

Result<Event> parse_socket(Reader& r) {
    SocketEvent e;
    r.common(e.common);
    r.known("syscall", e.syscall, kSocketSyscalls);
    r.text("family", e.family);
    r.text("sock_type", e.sock_type);
    r.number("protocol", e.protocol);
    r.text("addr", e.addr);
    r.number("port", e.port);
    r.number("backlog", e.backlog);
    r.number("fd", e.fd);
    r.number("ret", e.ret);
    return r.finish(std::move(e));
}

}  // namespace

std::optional<Result<Event>> security_event(std::string_view type, Reader& r) {
    using Parse = Result<Event> (*)(Reader&);
    static constexpr std::pair<std::string_view, Parse> kTypes[] = {
        {"privilege", parse_privilege},
        {"ptrace", parse_ptrace},
        {"module_load", parse_module_load},
        {"bpf", parse_bpf},
        {"perf_event_open", parse_perf_event_open},
        {"userfaultfd", parse_userfaultfd},
        {"namespace", parse_namespace_change},
        {"mount", parse_mount},
        {"file_change", parse_file_change},
        {"memfd_create", parse_memfd_create},
        {"socket", parse_socket},
    };
    for (auto [name, parse] : kTypes)
        if (type == name)
            return parse(r);
    return std::nullopt;
}

}  // namespace kscope::event_json
