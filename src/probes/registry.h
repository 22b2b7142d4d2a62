// The list of every probe kscope has.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "probes/probe.h"

namespace kscope {

std::vector<std::unique_ptr<Probe>> make_all_probes();
std::unique_ptr<Probe> make_probe(std::string_view name);
// The probes whose events carry these Falco event types (evt.type: execve, openat,
// connect...), for tools that run rules: what the rules can see decides what loads.
// Types no probe makes are left out.
std::set<std::string> probes_for_event_types(const std::set<std::string>& types);

}  // namespace kscope
