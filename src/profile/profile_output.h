// Everything a profile can be written as, from symbolized stacks:
//   folded.h        "comm;root;...;leaf COUNT" for flamegraph.pl / speedscope
//   pprof.h         gzipped profile.proto for `go tool pprof`, Pyroscope, Grafana
//   flamegraph.h    a self-contained interactive HTML flame graph, and the differential one
//   diff.h          two saved profiles (folded or pprof) compared
//   profile_json.h  one JSON object per unique stack
//   top_table.h     top functions by self and total
#pragma once

#include "profile/diff.h"
#include "profile/flamegraph.h"
#include "profile/folded.h"
#include "profile/pprof.h"
#include "profile/profile_json.h"
#include "profile/top_table.h"
