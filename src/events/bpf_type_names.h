// Names of BPF program and map types as the kernel spells them (BPF_PROG_TYPE_KPROBE,
// BPF_MAP_TYPE_ARRAY), read from the running kernel's BTF so types newer than kscope's
// libbpf are named too.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

namespace kscope {

class BpfTypeNames {
public:
    // enum bpf_prog_type and enum bpf_map_type from /sys/kernel/btf/vmlinux; where that
    // cannot be read, libbpf's own table of names.
    static BpfTypeNames from_kernel();
    BpfTypeNames(std::unordered_map<uint32_t, std::string> prog_types,
                 std::unordered_map<uint32_t, std::string> map_types)
        : prog_types_(std::move(prog_types)), map_types_(std::move(map_types)) {}

    // The enum name, or the number when neither the kernel nor libbpf knows it.
    std::string prog_type(uint32_t type) const;
    std::string map_type(uint32_t type) const;

private:
    std::unordered_map<uint32_t, std::string> prog_types_;
    std::unordered_map<uint32_t, std::string> map_types_;
};

}  // namespace kscope
