// Raw counted stacks -> named stacks: each sample's process mappings come from what the
// unwind loader read while the process lived, or from /proc when it is still running.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "profile/stack_sample.h"
#include "profile/symbolizer.h"

namespace kscope {

std::vector<SymbolizedStack> name_stacks(const std::vector<StackSample>& samples,
                                         const std::map<uint32_t, ProcessMaps>& known, Symbolizer& symbolizer);

}  // namespace kscope
