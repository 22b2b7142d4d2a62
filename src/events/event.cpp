#include "events/event.h"

#include <string_view>

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
}  // namespace

const char* tcp_type_name(const TcpEvent& e) {
    std::string_view k = e.event;
    return k == "connect" ? "tcp_connect" : k == "accept" ? "tcp_accept" : "tcp_close";
}

const char* type_name(const Event& e) {
    return std::visit([](const auto& ev) { return name_of(ev); }, e);
}

}  // namespace kscope
