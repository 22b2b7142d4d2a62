#include "events/path_join.h"

#include <filesystem>

namespace kscope {
namespace {

// Whether a path has nothing lexically_normal would change (the common case, and
// std::filesystem is slow enough to matter at a million opens a second).
bool plainly_normal(std::string_view p) {
    if (p.empty())
        return false;
    for (size_t i = 0; i < p.size(); i++) {
        if (p[i] == '/' && i + 1 < p.size() && p[i + 1] == '/')
            return false;
        bool at_start = i == 0 || p[i - 1] == '/';
        if (at_start && p[i] == '.') {
            size_t end = p.find('/', i);
            std::string_view part = p.substr(i, end == std::string_view::npos ? end : end - i);
            if (part == "." || part == "..")
                return false;
        }
    }
    return p.size() == 1 || p.back() != '/';
}

// lexically_normal, without the trailing '/' it adds after a final ".." or ".".
std::string normalized(const std::filesystem::path& p, bool keep_trailing_slash) {
    std::string out = p.lexically_normal().string();
    if (!keep_trailing_slash && out.size() > 1 && out.back() == '/')
        out.pop_back();
    return out;
}

}  // namespace

std::string normal_path(std::string_view absolute) {
    if (plainly_normal(absolute))
        return std::string(absolute);
    return normalized(std::filesystem::path(absolute), absolute.ends_with('/'));
}

std::string join_normal(std::string_view base, std::string_view rel) {
    if (plainly_normal(base) && plainly_normal(rel) && base.front() == '/' && rel.front() != '/') {
        std::string out(base);
        if (out.back() != '/')
            out += '/';
        out.append(rel);
        return out;
    }
    return normalized(std::filesystem::path(base) / rel, rel.ends_with('/'));
}

}  // namespace kscope
