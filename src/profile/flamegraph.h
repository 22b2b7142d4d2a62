// Flame graphs as one self-contained HTML page (inline SVG drawn by inline JS, no
// external resources): click a frame to zoom, search with the matched share shown,
// tooltips with counts and percentages, kernel frames in their own colors.
#pragma once

#include <string>

#include "profile/diff.h"
#include "profile/folded.h"

namespace kscope {

struct FlameGraphOptions {
    std::string title;             // "" = "kscope CPU profile" / "kscope differential profile"
    std::string unit = "samples";  // what a count is: "samples", "microseconds", ...
    bool comm_root = true;         // the first frame of every stack is the process name
};

std::string render_flamegraph(const FoldedProfile& profile, const FlameGraphOptions& options = {});

// Widths from the "after" profile; each frame colored by how its share (of the whole
// profile, including its callees) changed: red got hotter, blue got cooler.
std::string render_diff_flamegraph(const DiffProfile& diff, const FlameGraphOptions& options = {});

}  // namespace kscope
