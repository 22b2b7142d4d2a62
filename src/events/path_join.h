// Absolute paths from what the probes carry: a name as passed and the directory the
// kernel resolved it against, joined and normalized lexically (no file system access:
// the event describes the moment it happened).
#pragma once

#include <string>
#include <string_view>

namespace kscope {

// An absolute path with "." and ".." resolved and repeated slashes folded.
std::string normal_path(std::string_view absolute);
// base (absolute) joined with rel (relative), normalized.
std::string join_normal(std::string_view base, std::string_view rel);

}  // namespace kscope
