// A whole file as text, for the loaders of the profile's tables.
#pragma once

#include <optional>
#include <string>

namespace kscope {

// The contents of path; nullopt when it cannot be opened.
std::optional<std::string> read_file(const std::string& path);

}  // namespace kscope
