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

// The start of every FDE, sorted, from .eh_frame_hdr's search table (the linkers' usual
// encoding: entries relative to the header, signed 4 bytes); empty when there is none or
// it is encoded otherwise. Lets a walk over code without CFI jump to the next described
// function: Chromium has 200 MB of code and half a megabyte of .eh_frame.
std::vector<uint64_t> fde_starts(Elf* elf) {
    std::vector<uint64_t> starts;
    size_t shstrndx = 0;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0)
        return starts;
    Elf_Scn* scn = nullptr;
    while ((scn = elf_nextscn(elf, scn)) != nullptr) {
        GElf_Shdr sh;
        const char* name = gelf_getshdr(scn, &sh) ? elf_strptr(elf, shstrndx, sh.sh_name) : nullptr;
        if (!name || std::strcmp(name, ".eh_frame_hdr") != 0)
            continue;
        Elf_Data* d = elf_getdata(scn, nullptr);
        if (!d || !d->d_buf || d->d_size < 12)
            return starts;
        const auto* b = static_cast<const uint8_t*>(d->d_buf);
        constexpr uint8_t kUdata4 = 0x03, kSdata4 = 0x0b, kDatarelSdata4 = 0x3b;
        const uint8_t ptr_enc = b[1], count_enc = b[2], table_enc = b[3];
        const uint8_t ptr_size = (ptr_enc & 0x0f) == kUdata4 || (ptr_enc & 0x0f) == kSdata4 ? 4 : 0;
        if (b[0] != 1 || !ptr_size || count_enc != kUdata4 || table_enc != kDatarelSdata4)
            return starts;
        uint32_t count = 0;
        std::memcpy(&count, b + 4 + ptr_size, 4);
        const size_t table = 8 + ptr_size;
        if (table + size_t(count) * 8 > d->d_size)
            return starts;
        starts.reserve(count);
        for (uint32_t i = 0; i < count; i++) {
            int32_t rel = 0;
            std::memcpy(&rel, b + table + size_t(i) * 8, 4);
            starts.push_back(sh.sh_addr + uint64_t(int64_t(rel)));
        }
        std::sort(starts.begin(), starts.end());
        return starts;
    }
    return starts;
}

}  // namespace

Result<UnwindTable> build_unwind_table(const std::string& path, bool use_fde_index) {
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
        if (gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_EXECINSTR) && sh.sh_type == SHT_PROGBITS && sh.sh_size &&
            sh.sh_addr + sh.sh_size > sh.sh_addr)  // no wrap past the top of the address space
            ranges.emplace_back(sh.sh_addr, sh.sh_addr + sh.sh_size);
    }
    std::sort(ranges.begin(), ranges.end());

    const std::vector<uint64_t> starts = use_fde_index ? fde_starts(f.elf) : std::vector<uint64_t>{};
    // Byte by byte is for files without the linkers' search table, which are small; a
    // header claiming gigabytes of code must not hold the profiler for minutes.
    constexpr uint64_t kMaxWalkedCode = 64ull << 20;
    uint64_t code = 0;
    for (const auto& [lo, hi] : ranges)
        code += std::min(hi - lo, kMaxWalkedCode + 1);  // no overflow however many sections
    if (starts.empty() && code > kMaxWalkedCode)
        return Error{"unwind table: " + path + " has " + std::to_string(code >> 20) +
                     " MiB of code and no .eh_frame_hdr search table to skip what has no CFI"};
    UnwindTable table;
    for (const auto& [lo, hi] : ranges) {
        for (uint64_t pc = lo; pc < hi;) {
            Dwarf_Frame* frame = nullptr;
            if (dwarf_cfi_addrframe(cfi, pc, &frame) != 0) {
                // Padding or code without CFI: mark the gap, then go on at the next FDE's
                // start (without a search table, byte by byte: libdw's lookup is cheap).
                UnwindRule gap;
                gap.pc = pc;
                if (!table.rules.empty())
                    append(table.rules, gap);
                if (starts.empty()) {
                    pc++;
                } else {
                    auto next = std::upper_bound(starts.begin(), starts.end(), pc);
                    pc = next != starts.end() ? std::min(*next, hi) : hi;
                }
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
