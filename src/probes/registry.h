// The list of every probe kscope has.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "probes/probe.h"

namespace kscope {

std::vector<std::unique_ptr<Probe>> make_all_probes();
std::unique_ptr<Probe> make_probe(std::string_view name);

}  // namespace kscope
