// Unwind tables for the kernel-side stack walker: for every pc range of an ELF file, how
// to find the caller's frame (CFA rule and where rbp was saved), derived from the file's
// .eh_frame call-frame information with libdw. Built once per file and loaded into the
// profile probe's maps; the kernel then walks stacks of code built without frame
// pointers, which is how Debian builds nearly everything.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kscope/abi/profile.h"
#include "util/result.h"

namespace kscope {

struct UnwindRule {
    uint64_t pc = 0;  // file virtual address where the rule starts
    uint8_t cfa_kind = KSCOPE_CFA_NONE;
    uint8_t rbp_rule = KSCOPE_RBP_SAME;
    int16_t rbp_offset = 0;
    int32_t cfa_offset = 0;
    bool operator==(const UnwindRule&) const = default;
};

struct UnwindTable {
    // Sorted by pc; each rule holds up to the next one's pc. Consecutive equal rules are
    // merged, and a KSCOPE_CFA_NONE rule marks each gap without information.
    std::vector<UnwindRule> rules;
    uint64_t base = 0;  // the lowest pc covered; rows store pc - base
    size_t unsupported = 0;  // ranges whose rule the kernel cannot evaluate
};

// Reads the ELF file's .eh_frame (located through .eh_frame_hdr). An error when the
// file is not ELF or has no .eh_frame. use_fde_index: skip code without CFI by the
// header's sorted FDE table (false: byte by byte, the same table, for the tests).
Result<UnwindTable> build_unwind_table(const std::string& path, bool use_fde_index = true);

// The table as rows for the kernel (pc relative to base).
std::vector<kscope_unwind_row> unwind_rows(const UnwindTable& table);

// The rule in force at pc, as the kernel looks it up (a binary search over the rows);
// for tests and debugging. nullptr when pc is below the table.
const UnwindRule* find_rule(const UnwindTable& table, uint64_t pc);

}  // namespace kscope
