#include "rules/field_catalog.h"

namespace kscope::rules {

namespace {

using T = FieldType;
using A = FieldArg;

constexpr FieldInfo kFields[] = {
    // evt: the event itself
    {"evt.type", T::String, A::None, "syscall or event name, Falco's spelling (open, execve, connect...)"},
    {"evt.dir", T::String, A::None, "< (kscope reports completed calls, Falco's exit events)"},
    {"evt.res", T::String, A::None, "result: SUCCESS or the errno name (ENOENT...)"},
    {"evt.rawres", T::Number, A::None, "result as returned by the kernel (negative errno on failure)"},
    {"evt.failed", T::String, A::None, "true when the call failed, else false"},
    {"evt.arg", T::String, A::Name, "an event argument, by name (evt.arg.flags) or index (evt.arg[0])"},
    {"evt.num", T::Number, A::None, "the event's number in this run, from 1 (Falco's never_true is evt.num=0)"},
    {"evt.rawtime", T::Number, A::None, "event time, ns since the Unix epoch"},
    {"evt.hostname", T::String, A::None, "this host's name"},
    {"evt.source", T::String, A::None, "syscall"},
    {"evt.is_open_read", T::String, A::None, "open for reading: true or false"},
    {"evt.is_open_write", T::String, A::None, "open for writing: true or false"},
    {"evt.is_open_exec", T::String, A::None, "open with exec permission (O_CREAT with an x bit): true or false"},
    {"evt.is_open_create", T::String, A::None, "open with O_CREAT: true or false"},
    // proc: the process (ancestors from kscope's process table)
    {"proc.name", T::String, A::None, "process name (comm)"},
    {"proc.exepath", T::String, A::None, "full path of the executable"},
    {"proc.exe", T::String, A::None, "first command-line argument (argv[0])"},
    {"proc.cmdline", T::String, A::None, "name and arguments, space-separated"},
    {"proc.args", T::String, A::None, "arguments, space-separated"},
    {"proc.cmdnargs", T::Number, A::None, "number of arguments"},
    {"proc.pid", T::Number, A::None, "process id"},
    {"proc.ppid", T::Number, A::None, "parent process id"},
    {"proc.pname", T::String, A::None, "parent process name"},
    {"proc.pexe", T::String, A::None, "parent's argv[0]"},
    {"proc.pexepath", T::String, A::None, "parent's executable path"},
    {"proc.pcmdline", T::String, A::None, "parent's command line"},
    {"proc.aname", T::String, A::Index, "ancestor name: [0] self, [1] parent, [2] grandparent...; no index: any ancestor"},
    {"proc.aexe", T::String, A::Index, "ancestor argv[0], indexed as proc.aname"},
    {"proc.aexepath", T::String, A::Index, "ancestor executable path, indexed as proc.aname"},
    {"proc.acmdline", T::String, A::Index, "ancestor command line, indexed as proc.aname"},
    {"proc.apid", T::Number, A::Index, "ancestor pid, indexed as proc.aname"},
    {"proc.cwd", T::String, A::None, "current working directory (as of exec)"},
    {"proc.tty", T::Number, A::None, "controlling terminal's device number, 0 if none"},
    {"proc.is_exe_from_memfd", T::String, A::None, "the executable is a memfd (fileless): true or false"},
    {"proc.exe_ino", T::Number, A::None, "inode number of the executable"},
    {"proc.stdin.type", T::String, A::None, "what fd 0 was at exec: file, pipe, char, ipv4, ipv6, unix..."},
    {"proc.stdout.type", T::String, A::None, "what fd 1 was at exec"},
    {"proc.stderr.type", T::String, A::None, "what fd 2 was at exec"},
    {"thread.tid", T::Number, A::None, "thread id"},
    // user and group
    {"user.uid", T::Number, A::None, "user id"},
    {"user.name", T::String, A::None, "user name (/etc/passwd)"},
    {"user.homedir", T::String, A::None, "user's home directory"},
    {"user.shell", T::String, A::None, "user's login shell"},
    {"user.loginuid", T::Number, A::None, "audit login uid, -1 if unset"},
    {"user.loginname", T::String, A::None, "name of the login uid's user"},
    {"group.gid", T::Number, A::None, "group id"},
    {"group.name", T::String, A::None, "group name (/etc/group)"},
    // fd: the file or connection the event is about
    {"fd.num", T::Number, A::None, "file descriptor number"},
    {"fd.name", T::String, A::None, "file path, or the connection as cip:cport->sip:sport"},
    {"fd.directory", T::String, A::None, "directory of the file"},
    {"fd.filename", T::String, A::None, "file name without the directory"},
    {"fd.type", T::String, A::None, "file, directory, ipv4, ipv6, unix, pipe, memfd, packet, netlink..."},
    {"fd.typechar", T::String, A::None, "fd.type as one letter: f 4 6 u p m..."},
    {"fd.sockfamily", T::String, A::None, "ip or unix, for sockets"},
    {"fd.is_server", T::String, A::None, "the process is the server side: true or false"},
    {"fd.sip", T::Ip, A::None, "server IP address (where the connection goes)"},
    {"fd.cip", T::Ip, A::None, "client IP address"},
    {"fd.lip", T::Ip, A::None, "local IP address"},
    {"fd.rip", T::Ip, A::None, "remote IP address"},
    {"fd.dip", T::Ip, A::None, "destination IP address (kscope: same as fd.sip)"},
    {"fd.ip", T::Ip, A::None, "client or server IP address: matches if either does (!=: if neither is)"},
    {"fd.net", T::Ip, A::None, "fd.ip, for comparing with networks (fd.net = 10.0.0.0/8)"},
    {"fd.snet", T::Ip, A::None, "fd.sip, for comparing with networks"},
    {"fd.cnet", T::Ip, A::None, "fd.cip, for comparing with networks"},
    {"fd.lnet", T::Ip, A::None, "fd.lip, for comparing with networks"},
    {"fd.rnet", T::Ip, A::None, "fd.rip, for comparing with networks"},
    {"fd.sport", T::Number, A::None, "server port"},
    {"fd.cport", T::Number, A::None, "client port"},
    {"fd.dport", T::Number, A::None, "destination port (kscope: same as fd.sport)"},
    {"fd.lport", T::Number, A::None, "local port"},
    {"fd.rport", T::Number, A::None, "remote port"},
    {"fd.l4proto", T::String, A::None, "tcp, udp, icmp or raw"},
    // fs.path: the paths a file-changing call names
    {"fs.path.name", T::String, A::None, "the path a file call acted on (resolved)"},
    {"fs.path.source", T::String, A::None, "rename/link/symlink: the old name or the link's target"},
    {"fs.path.target", T::String, A::None, "rename/link/symlink: the name created"},
    // container
    {"container.id", T::String, A::None, "container id, or host"},
    {"container.full_id", T::String, A::None, "the whole 64-digit container id, or host"},
    {"container.name", T::String, A::None, "container name from the runtime's socket (else the short id), or host"},
    {"container.image", T::String, A::None, "image the container was created from (repo:tag), from the runtime's socket"},
    {"container.image.repository", T::String, A::None, "the image's repository (without tag or digest)"},
    {"container.image.tag", T::String, A::None, "the image's tag"},
    {"container.image.id", T::String, A::None, "the image's id (sha256:...) where the runtime gives it"},
    // kscope's own
    {"ks.type", T::String, A::None, "kscope's event type (exec, tcp_connect, dns_query, privilege...)"},
    {"ks.dns.name", T::String, A::None, "queried DNS name (dns probe)"},
    {"ks.dns.rcode", T::String, A::None, "DNS response code (NOERROR, NXDOMAIN...)"},
    {"ks.tcp.latency_ns", T::Number, A::None, "TCP connect/accept latency, ns"},
    {"ks.drop.reason", T::String, A::None, "kernel packet drop reason (NO_SOCKET...)"},
    {"ks.exe_deleted", T::String, A::None, "the executable was unlinked: true or false"},
    {"ks.privileged_exec", T::String, A::None, "the exec raised privileges (setuid bit, file capabilities): true or false"},
    {"ks.new_euid", T::Number, A::None, "effective uid after the call (exec, set*id)"},
    {"ks.old_euid", T::Number, A::None, "effective uid before the call (exec, set*id)"},
    {"ks.target.pid", T::Number, A::None, "ptrace/process_vm_writev: the target process"},
    {"ks.target.comm", T::String, A::None, "ptrace/process_vm_writev: the target's name"},
    {"ks.namespaces", T::List, A::None, "namespace changes: mnt, uts, ipc, user, pid, net, cgroup, time"},
    {"ks.mode_bits", T::List, A::None, "chmod: S_ISUID, S_ISGID, S_ISVTX when set"},
};

}  // namespace

std::span<const FieldInfo> field_catalog() { return kFields; }

const FieldInfo* find_field(std::string_view name) {
    for (const auto& f : kFields)
        if (f.name == name) return &f;
    return nullptr;
}

std::string_view type_name(FieldType type) {
    switch (type) {
        case FieldType::String: return "string";
        case FieldType::Number: return "number";
        case FieldType::Ip: return "ip";
        case FieldType::List: return "list";
    }
    return "?";
}

bool op_fits(FieldType type, CmpOp op) {
    if (op == CmpOp::Exists) return true;
    switch (type) {
        case FieldType::String:
            return op == CmpOp::Eq || op == CmpOp::Ne || op == CmpOp::In || op == CmpOp::Contains ||
                   op == CmpOp::IContains || op == CmpOp::StartsWith || op == CmpOp::EndsWith ||
                   op == CmpOp::Glob || op == CmpOp::PMatch || op == CmpOp::Regex || op == CmpOp::BContains ||
                   op == CmpOp::BStartsWith || op == CmpOp::IGlob ||
                   op == CmpOp::Intersects;  // as Falco: on one value, the same as `in`
        case FieldType::Number:
            return op == CmpOp::Eq || op == CmpOp::Ne || op == CmpOp::Lt || op == CmpOp::Le ||
                   op == CmpOp::Gt || op == CmpOp::Ge || op == CmpOp::In;
        case FieldType::Ip:
            // Values may be networks: fd.sip in (10.0.0.0/8, ::1).
            return op == CmpOp::Eq || op == CmpOp::Ne || op == CmpOp::In;
        case FieldType::List:
            // in: every element is among the values; intersects: at least one; contains: has the value.
            return op == CmpOp::In || op == CmpOp::Intersects || op == CmpOp::Contains;
    }
    return false;
}

}  // namespace kscope::rules
