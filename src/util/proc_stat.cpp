#include "util/proc_stat.h"

#include <cstdlib>
#include <sstream>

namespace kscope {

uint64_t ProcStat::number(size_t n) const {
    return n >= 3 && n - 3 < fields.size() ? std::strtoull(fields[n - 3].c_str(), nullptr, 10) : 0;
}

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
    // "pid (comm) state ppid ...": the last ')' ends the name.
    const size_t open = text.find('('), close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open || close + 2 > text.size())
        return std::nullopt;
    ProcStat s;
    s.comm = std::string(text.substr(open + 1, close - open - 1));
    std::istringstream rest{std::string(text.substr(close + 2))};
    for (std::string f; rest >> f;)
        s.fields.push_back(std::move(f));
    return s;
}

}  // namespace kscope
