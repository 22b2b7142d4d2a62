#include "profile/read_file.h"

#include <fstream>
#include <sstream>

namespace kscope {

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace kscope
