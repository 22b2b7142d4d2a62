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
        "dns_query",     "dns_response",   "oom_kill"};
    return names;
}

const char* type_name(const Event& e) {
    return std::visit([](const auto& ev) { return name_of(ev); }, e);
}

}  // namespace kscope
