#include "profile/kernel_symbols.h"

#include <algorithm>
#include <charconv>

#include "profile/read_file.h"

namespace kscope {

KernelSymbols KernelSymbols::parse(std::string_view text) {
    KernelSymbols out;
    bool any_address = false;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        // "ffffffff81000000 T _stext" or "ffffffffc0a00000 t ext4_foo\t[ext4]"
        KernelSymbol sym;
        auto [p, ec] = std::from_chars(line.data(), line.data() + line.size(), sym.address, 16);
        size_t off = static_cast<size_t>(p - line.data());
        if (ec != std::errc() || off + 3 > line.size() || line[off] != ' ' || line[off + 2] != ' ')
            continue;
        char type = line[off + 1];
        if (type != 't' && type != 'T' && type != 'w' && type != 'W')
            continue;
        std::string_view rest = line.substr(off + 3);
        size_t tab = rest.find('\t');
        sym.name = std::string(rest.substr(0, tab));
        if (tab != std::string_view::npos) {
            std::string_view mod = rest.substr(tab + 1);
            if (mod.size() >= 2 && mod.front() == '[') {
                size_t close = mod.find(']');
                sym.module = std::string(mod.substr(1, close == std::string_view::npos ? mod.size() - 1 : close - 1));
            }
        }
        if (sym.name.empty())
            continue;
        any_address |= sym.address != 0;
        out.symbols_.push_back(std::move(sym));
    }
    if (!any_address) {
        out.symbols_.clear();
        return out;
    }
    std::stable_sort(out.symbols_.begin(), out.symbols_.end(),
                     [](const KernelSymbol& a, const KernelSymbol& b) { return a.address < b.address; });
    return out;
}

KernelSymbols KernelSymbols::load(const std::string& path) {
    const std::optional<std::string> text = read_file(path);
    return text ? parse(*text) : KernelSymbols{};
}

const KernelSymbol* KernelSymbols::find(uint64_t addr) const {
    auto it = std::upper_bound(symbols_.begin(), symbols_.end(), addr,
                               [](uint64_t a, const KernelSymbol& s) { return a < s.address; });
    if (it == symbols_.begin())
        return nullptr;
    // Aliases share an address; the first listed one (kallsyms order) is kept.
    --it;
    uint64_t at = it->address;
    while (it != symbols_.begin() && std::prev(it)->address == at)
        --it;
    return &*it;
}

}  // namespace kscope
