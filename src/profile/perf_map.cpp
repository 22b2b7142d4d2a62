#include "profile/perf_map.h"

#include <algorithm>
#include <charconv>

#include "profile/read_file.h"

namespace kscope {
namespace {

// A hex number with an optional 0x, then one space; advances pos.
bool hex_field(std::string_view line, size_t& pos, uint64_t& out) {
    if (line.substr(pos, 2) == "0x" || line.substr(pos, 2) == "0X")
        pos += 2;
    auto [p, ec] = std::from_chars(line.data() + pos, line.data() + line.size(), out, 16);
    if (ec != std::errc() || p == line.data() + line.size() || *p != ' ')
        return false;
    pos = static_cast<size_t>(p - line.data()) + 1;
    return true;
}

}  // namespace

PerfMap PerfMap::parse(std::string_view text) {
    PerfMap out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        PerfMapSymbol sym;
        size_t p = 0;
        if (!hex_field(line, p, sym.start) || !hex_field(line, p, sym.size) || p >= line.size() || sym.size == 0)
            continue;
        sym.name = std::string(line.substr(p));
        out.symbols_.push_back(std::move(sym));
    }
    // Stable, so among equal starts the last written stays last; keep that one.
    std::stable_sort(out.symbols_.begin(), out.symbols_.end(),
                     [](const PerfMapSymbol& a, const PerfMapSymbol& b) { return a.start < b.start; });
    std::vector<PerfMapSymbol> unique;
    for (auto& s : out.symbols_) {
        if (!unique.empty() && unique.back().start == s.start)
            unique.back() = std::move(s);
        else
            unique.push_back(std::move(s));
    }
    out.symbols_ = std::move(unique);
    return out;
}

PerfMap PerfMap::load(const std::string& path) {
    const std::optional<std::string> text = read_file(path);
    return text ? parse(*text) : PerfMap{};
}

const PerfMapSymbol* PerfMap::find(uint64_t addr) const {
    auto it = std::upper_bound(symbols_.begin(), symbols_.end(), addr,
                               [](uint64_t a, const PerfMapSymbol& s) { return a < s.start; });
    // Overlapping entries are possible; look back a little for one that covers addr.
    for (int i = 0; i < 8 && it != symbols_.begin(); i++) {
        --it;
        if (addr - it->start < it->size)
            return &*it;
    }
    return nullptr;
}

}  // namespace kscope
