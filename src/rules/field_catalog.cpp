#include "rules/field_catalog.h"

namespace kscope::rules {

namespace {

using T = FieldType;
using A = FieldArg;

constexpr FieldInfo kFields[] = {
    {"evt.type", T::String, A::None, "syscall or event name (open, execve, connect...)"},
    {"evt.res", T::String, A::None, "result: SUCCESS or the errno name (ENOENT...)"},
    {"evt.rawres", T::Number, A::None, "result as returned by the kernel (negative errno on failure)"},
    {"evt.arg", T::String, A::Name, "an event argument, by name (evt.arg.flags) or index (evt.arg[0])"},
    {"proc.name", T::String, A::None, "process name (comm)"},
    {"proc.exepath", T::String, A::None, "full path of the executable"},
    {"proc.exe", T::String, A::None, "first command-line argument (argv[0])"},
    {"proc.cmdline", T::String, A::None, "name and arguments, space-separated"},
    {"proc.args", T::String, A::None, "arguments, space-separated"},
    {"proc.pid", T::Number, A::None, "process id"},
    {"proc.ppid", T::Number, A::None, "parent process id"},
    {"proc.pname", T::String, A::None, "parent process name"},
    {"proc.aname", T::String, A::Index, "ancestor name: [1] parent, [2] grandparent...; no index: any"},
    {"proc.cwd", T::String, A::None, "current working directory"},
    {"user.uid", T::Number, A::None, "user id"},
    {"user.name", T::String, A::None, "user name"},
    {"group.gid", T::Number, A::None, "group id"},
    {"fd.name", T::String, A::None, "file path, or the connection as sip:sport->dip:dport"},
    {"fd.directory", T::String, A::None, "directory of the file"},
    {"fd.filename", T::String, A::None, "file name without the directory"},
    {"fd.type", T::String, A::None, "file, directory, ipv4, ipv6, unix, pipe, event, signalfd..."},
    {"fd.types", T::List, A::None, "types of all the process's file descriptors"},
    {"fd.sip", T::Ip, A::None, "source (client) IP address"},
    {"fd.dip", T::Ip, A::None, "destination (server) IP address"},
    {"fd.sport", T::Number, A::None, "source port"},
    {"fd.dport", T::Number, A::None, "destination port"},
    {"fd.lport", T::Number, A::None, "local port"},
    {"fd.rport", T::Number, A::None, "remote port"},
    {"fd.l4proto", T::String, A::None, "tcp, udp, icmp or raw"},
    {"container.id", T::String, A::None, "container id, or host"},
    {"ks.dns.name", T::String, A::None, "queried DNS name (kscope's dns probe)"},
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
                   op == CmpOp::Glob || op == CmpOp::PMatch || op == CmpOp::Regex;
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
