#include "events/event.h"

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
}  // namespace

const char* type_name(const Event& e) {
    return std::visit([](const auto& ev) { return name_of(ev); }, e);
}

}  // namespace kscope
