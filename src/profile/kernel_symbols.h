// Kernel addresses -> function names, from /proc/kallsyms (read once, searched by address).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kscope {

struct KernelSymbol {
    uint64_t address = 0;
    std::string name;
    std::string module;  // "" for vmlinux, else the module's name ("ext4")
};

class KernelSymbols {
public:
    // Text symbols (t/T/w/W) of a kallsyms text, sorted by address. All-zero addresses
    // (kptr_restrict hides them from non-root) leave the table empty.
    static KernelSymbols parse(std::string_view kallsyms_text);
    // Reads path; an unreadable file gives an empty table.
    static KernelSymbols load(const std::string& path = "/proc/kallsyms");

    // The function holding addr: the last symbol at or below it. nullptr below the first
    // symbol or when the table is empty.
    const KernelSymbol* find(uint64_t addr) const;
    size_t size() const { return symbols_.size(); }

private:
    std::vector<KernelSymbol> symbols_;
};

}  // namespace kscope
