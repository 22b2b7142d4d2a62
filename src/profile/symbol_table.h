// A sorted function-symbol table for one ELF file, searched by ELF virtual address.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kscope {

struct ElfSymbol {
    uint64_t address = 0;  // ELF virtual address (st_value)
    uint64_t size = 0;     // 0 for hand-written code that never set it
    std::string name;      // as in the file (mangled)
    uint8_t binding = 0;   // STB_GLOBAL, STB_WEAK or STB_LOCAL
};

class SymbolTable {
public:
    SymbolTable() = default;
    // Sorts, and keeps one symbol per address (aliases): sized over unsized, then
    // global over weak over local, then the name without leading underscores.
    explicit SymbolTable(std::vector<ElfSymbol> symbols);

    // The function holding vaddr: a sized symbol covering it, or the nearest unsized one
    // below it with no symbol in between. nullptr when none does.
    const ElfSymbol* find(uint64_t vaddr) const;
    size_t size() const { return symbols_.size(); }
    bool empty() const { return symbols_.empty(); }

private:
    std::vector<ElfSymbol> symbols_;
};

// C++ (Itanium ABI) names demangled; other names returned unchanged.
std::string demangle(const std::string& name);

}  // namespace kscope
