#include "profile/symbol_table.h"

#include <cxxabi.h>
#include <elf.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

namespace kscope {
namespace {

int binding_rank(uint8_t binding) {
    switch (binding) {
        case STB_GLOBAL: return 0;
        case STB_WEAK: return 1;
        default: return 2;
    }
}

size_t leading_underscores(const std::string& s) {
    size_t n = 0;
    while (n < s.size() && s[n] == '_')
        n++;
    return n;
}

// Whether a is the better name for the address both share.
bool better_alias(const ElfSymbol& a, const ElfSymbol& b) {
    if ((a.size != 0) != (b.size != 0))
        return a.size != 0;
    if (binding_rank(a.binding) != binding_rank(b.binding))
        return binding_rank(a.binding) < binding_rank(b.binding);
    // "qsort" over "__libc_qsort": the public name is the one users know.
    if (leading_underscores(a.name) != leading_underscores(b.name))
        return leading_underscores(a.name) < leading_underscores(b.name);
    if (a.name.size() != b.name.size())
        return a.name.size() < b.name.size();
    return a.name < b.name;
}

}  // namespace

SymbolTable::SymbolTable(std::vector<ElfSymbol> symbols) {
    std::sort(symbols.begin(), symbols.end(), [](const ElfSymbol& a, const ElfSymbol& b) {
        if (a.address != b.address)
            return a.address < b.address;
        return better_alias(a, b);
    });
    for (auto& s : symbols)
        if (symbols_.empty() || symbols_.back().address != s.address)
            symbols_.push_back(std::move(s));
}

const ElfSymbol* SymbolTable::find(uint64_t vaddr) const {
    auto it = std::upper_bound(symbols_.begin(), symbols_.end(), vaddr,
                               [](uint64_t a, const ElfSymbol& s) { return a < s.address; });
    if (it == symbols_.begin())
        return nullptr;
    const ElfSymbol& nearest = *std::prev(it);
    if (nearest.size == 0 || vaddr - nearest.address < nearest.size)
        return &nearest;
    // Past the nearest symbol's end: an enclosing larger symbol may start just before
    // (code split into a sized part and a sized whole). Look back a few entries.
    auto back = std::prev(it);
    for (int i = 0; i < 16 && back != symbols_.begin(); i++) {
        --back;
        if (back->size != 0 && vaddr - back->address < back->size)
            return &*back;
    }
    return nullptr;
}

std::string demangle(const std::string& name) {
    if (name.size() < 3 || name[0] != '_' || name[1] != 'Z')
        return name;
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> out(abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status),
                                                    &std::free);
    return status == 0 && out ? std::string(out.get()) : name;
}

}  // namespace kscope
