// JSON lines output: one object per unique stack, for scripts and the agent's stream.
#pragma once

#include <string>
#include <vector>

#include "profile/symbolizer.h"

namespace kscope {

// {"type":"profile_stack","pid":..,"comm":..,"count":..,"frames":[{"function":..,
// "module":..,"address":"0x..","kernel":bool},..]} per line, frames root first. Stacks
// equal in pid, comm and frames are merged (threads of one process); the busiest first.
// Addresses are hex strings: kernel addresses do not fit a JavaScript number.
std::string write_profile_json(const std::vector<SymbolizedStack>& stacks);

}  // namespace kscope
