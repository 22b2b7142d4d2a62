// Every BPF program loaded on the machine (kscope's and everyone else's), with the
// kernel's run statistics: what bpftop shows. Run counts and times grow only while BPF
// statistics are on (bpf_enable_stats; kscope top holds them on while it runs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace kscope {

struct BpfProgramInfo {
    uint32_t id = 0;
    std::string name;
    std::string type;  // "tracepoint", "xdp"... (libbpf's names)
    uint64_t runs = 0;
    uint64_t run_time_ns = 0;
};

// Programs that vanish while they are listed are left out.
std::vector<BpfProgramInfo> list_bpf_programs();

}  // namespace kscope
