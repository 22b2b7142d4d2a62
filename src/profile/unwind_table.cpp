#include "profile/unwind_table.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace kscope {
namespace {

// x86-64 DWARF register numbers.
constexpr unsigned kRegRbp = 6;
constexpr unsigned kRegRsp = 7;
constexpr unsigned kRegRip = 16;

// The register and offset of a "register + offset" expression (DW_OP_bregN or
// DW_OP_bregx), or false.
bool register_offset(const Dwarf_Op& op, unsigned& reg, int64_t& offset) {
    if (op.atom >= DW_OP_breg0 && op.atom <= DW_OP_breg31) {
        reg = op.atom - DW_OP_breg0;
        offset = static_cast<int64_t>(op.number);
        return true;
    }
    if (op.atom == DW_OP_bregx) {
        reg = static_cast<unsigned>(op.number);
        offset = static_cast<int64_t>(op.number2);
        return true;
    }
    return false;
}

// The expression GCC and binutils emit for PLT stubs: rsp + 8 + ((rip & 15) >= N) << 3.
bool plt_expression(const Dwarf_Op* ops, size_t n, int32_t& threshold) {
    unsigned reg = 0;
    int64_t off = 0;
    if (n != 9 || !register_offset(ops[0], reg, off) || reg != kRegRsp || off != 8)
        return false;
    if (!register_offset(ops[1], reg, off) || reg != kRegRip || off != 0)
        return false;
    if (ops[2].atom != DW_OP_lit15 || ops[3].atom != DW_OP_and || ops[4].atom < DW_OP_lit0 ||
        ops[4].atom > DW_OP_lit31 || ops[5].atom != DW_OP_ge || ops[6].atom != DW_OP_lit3 ||
        ops[7].atom != DW_OP_shl || ops[8].atom != DW_OP_plus)
        return false;
    threshold = ops[4].atom - DW_OP_lit0;
    return true;
}

// "saved at CFA + offset": DW_OP_call_frame_cfa, DW_OP_plus_uconst offset (libdw's form
// for DW_CFA_offset rules).
bool saved_at_cfa(const Dwarf_Op* ops, size_t n, int64_t& offset) {
    if (n == 1 && ops[0].atom == DW_OP_call_frame_cfa) {
        offset = 0;
        return true;
    }
    if (n == 2 && ops[0].atom == DW_OP_call_frame_cfa && ops[1].atom == DW_OP_plus_uconst) {
        offset = static_cast<int64_t>(ops[1].number);
        return true;
    }
    return false;
}

// The kernel-evaluable rule for one Dwarf_Frame.
UnwindRule rule_of(Dwarf_Frame* frame, uint64_t pc, bool& unsupported) {
    UnwindRule r;
    r.pc = pc;
    unsupported = false;
    Dwarf_Addr start = 0, end = 0;
    bool signal = false;
    const int ra = dwarf_frame_info(frame, &start, &end, &signal);
    Dwarf_Op mem[3];
    Dwarf_Op* ops = nullptr;
    size_t n = 0;
    // Where the return address is: undefined marks the outermost frame.
    if (ra < 0 || dwarf_frame_register(frame, ra, mem, &ops, &n) != 0) {
        r.cfa_kind = KSCOPE_CFA_UNSUPPORTED;
        unsupported = true;
        return r;
    }
    if (n == 0 && ops == mem) {
        r.cfa_kind = KSCOPE_CFA_END;
        return r;
    }
    int64_t ra_offset = 0;
    if (signal || !saved_at_cfa(ops, n, ra_offset) || ra_offset != -8) {
        r.cfa_kind = KSCOPE_CFA_UNSUPPORTED;
        unsupported = true;
        return r;
    }
    // The CFA.
    Dwarf_Op* cfa = nullptr;
    size_t cfa_n = 0;
    unsigned reg = 0;
    int64_t off = 0;
    int32_t threshold = 0;
    if (dwarf_frame_cfa(frame, &cfa, &cfa_n) != 0 || cfa_n == 0) {
        r.cfa_kind = KSCOPE_CFA_UNSUPPORTED;
    } else if (cfa_n == 1 && register_offset(cfa[0], reg, off) && (reg == kRegRsp || reg == kRegRbp) &&
               off >= INT32_MIN && off <= INT32_MAX) {
        r.cfa_kind = reg == kRegRsp ? KSCOPE_CFA_RSP : KSCOPE_CFA_RBP;
        r.cfa_offset = static_cast<int32_t>(off);
    } else if (plt_expression(cfa, cfa_n, threshold)) {
        r.cfa_kind = KSCOPE_CFA_PLT;
        r.cfa_offset = threshold;
    } else {
        r.cfa_kind = KSCOPE_CFA_UNSUPPORTED;
    }
    unsupported = r.cfa_kind == KSCOPE_CFA_UNSUPPORTED;
    // Where the caller's rbp is: only "saved at CFA + offset" changes it.
    int64_t rbp_off = 0;
    if (dwarf_frame_register(frame, kRegRbp, mem, &ops, &n) == 0 && saved_at_cfa(ops, n, rbp_off) &&
        rbp_off >= INT16_MIN && rbp_off <= INT16_MAX) {
        r.rbp_rule = KSCOPE_RBP_AT_CFA;
        r.rbp_offset = static_cast<int16_t>(rbp_off);
    }
    return r;
}

struct ElfFile {
    int fd = -1;
    Elf* elf = nullptr;
    ~ElfFile() {
        if (elf)
            elf_end(elf);
        if (fd >= 0)
            close(fd);
    }
};

void append(std::vector<UnwindRule>& rules, const UnwindRule& r) {
    if (!rules.empty()) {
        UnwindRule prev = rules.back();
        prev.pc = r.pc;
        if (prev == r)
            return;  // same rule continues
        if (rules.back().pc == r.pc) {
            rules.back() = r;
            return;
        }
    }
    rules.push_back(r);
}

}  // namespace

Result<UnwindTable> build_unwind_table(const std::string& path) {
    elf_version(EV_CURRENT);
    ElfFile f;
    f.fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (f.fd < 0)
        return errno_error("unwind table: cannot open " + path, errno);
    f.elf = elf_begin(f.fd, ELF_C_READ_MMAP, nullptr);
    if (!f.elf || elf_kind(f.elf) != ELF_K_ELF)
        return Error{"unwind table: " + path + " is not an ELF file"};
    Dwarf_CFI* cfi = dwarf_getcfi_elf(f.elf);
    if (!cfi)
        return Error{"unwind table: " + path + " has no .eh_frame"};
    std::unique_ptr<Dwarf_CFI, int (*)(Dwarf_CFI*)> cfi_guard(cfi, dwarf_cfi_end);

    // Every executable section, in address order.
    std::vector<std::pair<uint64_t, uint64_t>> ranges;
    Elf_Scn* scn = nullptr;
    while ((scn = elf_nextscn(f.elf, scn)) != nullptr) {
        GElf_Shdr sh;
        if (gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_EXECINSTR) && sh.sh_type == SHT_PROGBITS && sh.sh_size)
            ranges.emplace_back(sh.sh_addr, sh.sh_addr + sh.sh_size);
    }
    std::sort(ranges.begin(), ranges.end());

    UnwindTable table;
    for (const auto& [lo, hi] : ranges) {
        for (uint64_t pc = lo; pc < hi;) {
            Dwarf_Frame* frame = nullptr;
            if (dwarf_cfi_addrframe(cfi, pc, &frame) != 0) {
                // Padding or code without CFI: mark the gap, then look byte by byte for
                // the next described range (cheap: libdw searches its sorted FDE index).
                UnwindRule gap;
                gap.pc = pc;
                if (!table.rules.empty())
                    append(table.rules, gap);
                pc++;
                continue;
            }
            Dwarf_Addr start = 0, end = 0;
            bool signal = false;
            dwarf_frame_info(frame, &start, &end, &signal);
            bool unsupported = false;
            UnwindRule r = rule_of(frame, pc, unsupported);
            free(frame);
            const size_t before = table.rules.size();
            append(table.rules, r);
            if (unsupported && table.rules.size() > before)
                table.unsupported++;
            pc = end > pc ? end : pc + 1;
        }
        UnwindRule tail;  // past the section: nothing known
        tail.pc = hi;
        if (!table.rules.empty())
            append(table.rules, tail);
    }
    // Leading gap rules carry nothing.
    while (!table.rules.empty() && table.rules.front().cfa_kind == KSCOPE_CFA_NONE)
        table.rules.erase(table.rules.begin());
    if (table.rules.empty())
        return Error{"unwind table: " + path + " has no call-frame information for its code"};
    table.base = table.rules.front().pc;
    if (table.rules.back().pc - table.base > UINT32_MAX)
        return Error{"unwind table: " + path + " spans more than 4 GiB of code"};
    return table;
}

std::vector<kscope_unwind_row> unwind_rows(const UnwindTable& table) {
    std::vector<kscope_unwind_row> rows;
    rows.reserve(table.rules.size());
    for (const auto& r : table.rules)
        rows.push_back({static_cast<__u32>(r.pc - table.base), r.cfa_kind, r.rbp_rule, r.rbp_offset, r.cfa_offset, 0});
    return rows;
}

const UnwindRule* find_rule(const UnwindTable& table, uint64_t pc) {
    auto it = std::upper_bound(table.rules.begin(), table.rules.end(), pc,
                               [](uint64_t v, const UnwindRule& r) { return v < r.pc; });
    if (it == table.rules.begin())
        return nullptr;
    return &*(it - 1);
}

}  // namespace kscope
