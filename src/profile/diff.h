// Differential profiles: two folded profiles side by side, each stack's count before and
// after, compared as shares of their own totals (so a longer second run is not "hotter").
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "profile/folded.h"
#include "util/result.h"

namespace kscope {

struct DiffCounts {
    uint64_t before = 0, after = 0;
};

struct DiffProfile {
    std::map<std::string, DiffCounts> stacks;  // union of both profiles' stacks
    uint64_t before_total = 0, after_total = 0;

    // Change of a count pair's share of its profile, in [-1, 1]: > 0 got hotter.
    double share_change(uint64_t before, uint64_t after) const;
};

DiffProfile diff(const FoldedProfile& before, const FoldedProfile& after);

// A saved profile: folded text, or a pprof file (gzipped or not) as write_pprof makes.
Result<FoldedProfile> load_profile_file(const std::string& path);
// The same, from the file's contents.
Result<FoldedProfile> parse_profile(std::string_view contents);

}  // namespace kscope
