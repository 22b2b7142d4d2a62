#include "events/event.h"

#include <string_view>
#include <vector>

namespace kscope {

const CommonFields& common_of(const Event& e) {
    return std::visit([](const auto& ev) -> const CommonFields& { return ev.common; }, e);
}

CommonFields& common_of(Event& e) {
    return std::visit([](auto& ev) -> CommonFields& { return ev.common; }, e);
}

namespace {
const char* name_of(const ExecEvent&) { return "exec"; }
const char* name_of(const ExitEvent&) { return "exit"; }
const char* name_of(const OpenEvent&) { return "open"; }
const char* name_of(const TcpEvent& e) { return tcp_type_name(e); }
const char* name_of(const DropEvent&) { return "drop"; }
const char* name_of(const DnsEvent& e) { return dns_event_type_name(e); }
const char* name_of(const OomEvent&) { return "oom_kill"; }
const char* name_of(const PrivilegeEvent&) { return "privilege"; }
const char* name_of(const PtraceEvent&) { return "ptrace"; }
const char* name_of(const ModuleLoadEvent&) { return "module_load"; }
const char* name_of(const BpfEvent&) { return "bpf"; }
const char* name_of(const PerfEventOpenEvent&) { return "perf_event_open"; }
const char* name_of(const UserfaultfdEvent&) { return "userfaultfd"; }
const char* name_of(const NamespaceEvent&) { return "namespace"; }
const char* name_of(const MountEvent&) { return "mount"; }
const char* name_of(const FileChangeEvent&) { return "file_change"; }
const char* name_of(const MemfdCreateEvent&) { return "memfd_create"; }
const char* name_of(const SocketEvent&) { return "socket"; }
const char* name_of(const AlertEvent&) { return "alert"; }
}  // namespace

const char* dns_event_type_name(const DnsEvent& e) {
    return std::string_view(e.event) == "query" ? "dns_query" : "dns_response";
}

const char* tcp_type_name(const TcpEvent& e) {
    std::string_view k = e.event;
    if (k == "connect")
        return "tcp_connect";
    if (k == "accept")
        return "tcp_accept";
    if (k == "retransmit")
        return "tcp_retransmit";
    if (k == "reset_sent")
        return "tcp_reset_sent";
    if (k == "reset_received")
        return "tcp_reset_received";
    return "tcp_close";
}

const std::vector<std::string_view>& event_type_names() {
    static const std::vector<std::string_view> names = {
        "exec",          "exit",           "open",           "tcp_connect",        "tcp_accept",
        "tcp_close",     "tcp_retransmit", "tcp_reset_sent", "tcp_reset_received", "drop",
        "dns_query",     "dns_response",   "oom_kill",       "privilege",          "ptrace",
        "module_load",   "bpf",            "perf_event_open", "userfaultfd",       "namespace",
        "mount",         "file_change",    "memfd_create",   "socket",             "alert"};
    return names;
}

const char* type_name(const Event& e) {
    return std::visit([](const auto& ev) { return name_of(ev); }, e);
}

}  // namespace kscope
