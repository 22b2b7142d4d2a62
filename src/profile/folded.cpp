#include "profile/folded.h"

#include <fmt/format.h>

#include <charconv>

namespace kscope {
namespace {

std::string sanitize(std::string_view name) {
    std::string out(name);
    for (char& c : out) {
        if (c == ';')
            c = ':';
        else if (c == '\n' || c == '\r')
            c = ' ';
    }
    return out;
}

}  // namespace

std::string folded_frame(const Frame& f) {
    std::string name = sanitize(f.function);
    if (f.kernel)
        name += kKernelSuffix;
    return name;
}

std::string folded_key(const SymbolizedStack& s) {
    std::string key = s.comm.empty() ? std::string(kUnknownFunction) : sanitize(s.comm);
    for (const auto& f : s.frames) {
        key += ';';
        key += folded_frame(f);
    }
    return key;
}

FoldedProfile fold(const std::vector<SymbolizedStack>& stacks) {
    FoldedProfile out;
    for (const auto& s : stacks)
        if (s.count)
            out[folded_key(s)] += s.count;
    return out;
}

std::string write_folded(const FoldedProfile& profile) {
    std::string out;
    for (const auto& [stack, count] : profile)
        fmt::format_to(std::back_inserter(out), "{} {}\n", stack, count);
    return out;
}

Result<FoldedProfile> parse_folded(std::string_view text) {
    FoldedProfile out;
    size_t pos = 0, line_no = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        line_no++;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
            line.remove_suffix(1);
        if (line.empty())
            continue;
        size_t space = line.find_last_of(" \t");
        uint64_t count = 0;
        if (space == std::string_view::npos || space == 0)
            return Error{fmt::format("line {}: expected 'stack COUNT'", line_no)};
        std::string_view num = line.substr(space + 1);
        auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), count);
        if (ec != std::errc() || p != num.data() + num.size())
            return Error{fmt::format("line {}: '{}' is not a whole-number count", line_no, num)};
        std::string_view stack = line.substr(0, space);
        while (!stack.empty() && (stack.back() == ' ' || stack.back() == '\t'))
            stack.remove_suffix(1);
        out[std::string(stack)] += count;
    }
    return out;
}

std::vector<std::string_view> split_folded(std::string_view key) {
    std::vector<std::string_view> out;
    size_t pos = 0;
    while (true) {
        size_t semi = key.find(';', pos);
        out.push_back(key.substr(pos, semi == std::string_view::npos ? std::string_view::npos : semi - pos));
        if (semi == std::string_view::npos)
            break;
        pos = semi + 1;
    }
    return out;
}

bool is_kernel_frame(std::string_view frame) { return frame.ends_with(kKernelSuffix); }

std::string_view strip_kernel_suffix(std::string_view frame) {
    return is_kernel_frame(frame) ? frame.substr(0, frame.size() - kKernelSuffix.size()) : frame;
}

std::vector<Frame> frames_from_folded(std::string_view stack) {
    std::vector<Frame> frames;
    if (stack.empty())
        return frames;
    for (std::string_view part : split_folded(stack)) {
        Frame f;
        f.kernel = is_kernel_frame(part);
        f.function = std::string(strip_kernel_suffix(part));
        f.module = f.kernel ? kKernelModule : "";
        f.symbolized = true;
        frames.push_back(std::move(f));
    }
    return frames;
}

uint64_t total_count(const FoldedProfile& profile) {
    uint64_t total = 0;
    for (const auto& [stack, count] : profile)
        total += count;
    return total;
}

}  // namespace kscope
