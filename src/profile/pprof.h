// pprof output: a gzipped perftools.profiles.Profile that `go tool pprof`, Pyroscope and
// Grafana read; and reading one of ours back as folded stacks (for diffs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "profile/folded.h"
#include "profile/symbolizer.h"
#include "util/result.h"

namespace kscope {

struct PprofOptions {
    // The first value of every sample: the stack's count. For off-CPU profiles, e.g.
    // "offcpu"/"microseconds".
    std::string sample_type = "samples";
    std::string sample_unit = "count";
    // When > 0 (CPU profiles), a second value "cpu"/"nanoseconds" = count * period_ns, and
    // the profile's period.
    uint64_t period_ns = 0;
    int64_t time_nanos = 0;      // start of the profile, ns since the Unix epoch
    int64_t duration_nanos = 0;
};

// The gzipped profile. Each stack is a sample labeled pid (number) and comm (string);
// each (process, file) a mapping with its build id; each address a location.
std::string write_pprof(const std::vector<SymbolizedStack>& stacks, const PprofOptions& options);

// A profile written by write_pprof (gzipped or not) as folded stacks, comm first and
// kernel frames suffixed, counted by the first sample value.
Result<FoldedProfile> pprof_to_folded(std::string_view data);

}  // namespace kscope
