#include "cli/flag_checks.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>

namespace kscope {
namespace {

bool parse_whole(const std::string& s, uint64_t& v) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

CLI::Validator positive_seconds() {
    return CLI::Validator(
        [](std::string& s) -> std::string {
            size_t used = 0;
            double v = 0;
            try {
                v = std::stod(s, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != s.size() || !std::isfinite(v) || v <= 0)
                return "'" + s + "' must be a positive number of seconds (e.g. 1.5)";
            return {};
        },
        "SECONDS > 0");
}

CLI::Validator positive_whole_number() {
    return CLI::Validator(
        [](std::string& s) -> std::string {
            uint64_t v = 0;
            if (!parse_whole(s, v) || v == 0)
                return "'" + s + "' must be a whole number above 0";
            return {};
        },
        "N > 0");
}

CLI::Validator whole_number() {
    return CLI::Validator(
        [](std::string& s) -> std::string {
            uint64_t v = 0;
            if (!parse_whole(s, v))
                return "'" + s + "' must be a whole number, 0 or more";
            return {};
        },
        "N >= 0");
}

}  // namespace kscope
