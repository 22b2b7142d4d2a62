#include "profile/diff.h"

#include <cerrno>
#include <fstream>
#include <sstream>

#include "profile/gzip.h"
#include "profile/pprof.h"

namespace kscope {

double DiffProfile::share_change(uint64_t before, uint64_t after) const {
    const double a = after_total ? double(after) / double(after_total) : 0.0;
    const double b = before_total ? double(before) / double(before_total) : 0.0;
    return a - b;
}

DiffProfile diff(const FoldedProfile& before, const FoldedProfile& after) {
    DiffProfile out;
    for (const auto& [stack, count] : before) {
        out.stacks[stack].before += count;
        out.before_total += count;
    }
    for (const auto& [stack, count] : after) {
        out.stacks[stack].after += count;
        out.after_total += count;
    }
    return out;
}

Result<FoldedProfile> parse_profile(std::string_view contents) {
    // Folded text never starts with the gzip magic, and a raw protobuf starts with a
    // field tag byte below 0x20 that text does not have.
    if (is_gzip(contents) || (!contents.empty() && static_cast<unsigned char>(contents[0]) < 0x20 &&
                              contents[0] != '\n' && contents[0] != '\r' && contents[0] != '\t'))
        return pprof_to_folded(contents);
    return parse_folded(contents);
}

Result<FoldedProfile> load_profile_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return errno_error("reading " + path, errno);
    std::stringstream s;
    s << in.rdbuf();
    auto out = parse_profile(s.str());
    if (!out.ok())
        return out.error().context(path);
    return out;
}

}  // namespace kscope
