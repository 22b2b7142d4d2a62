// Names of the kernel's skb drop reasons, read from the running kernel's BTF
// (enum skb_drop_reason), so new reasons in new kernels are named without a rebuild.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "util/result.h"

namespace kscope {

class DropReasons {
public:
    // Reads /sys/kernel/btf/vmlinux (or the given BTF file).
    static Result<DropReasons> load(const std::string& btf_path = "/sys/kernel/btf/vmlinux");
    // Builds from "SKB_DROP_REASON_X" -> value pairs (tests).
    explicit DropReasons(std::unordered_map<uint32_t, std::string> names) : names_(std::move(names)) {}

    // "NO_SOCKET" for SKB_DROP_REASON_NO_SOCKET; "REASON_<n>" if this kernel has no name.
    std::string name(uint32_t reason) const;

private:
    std::unordered_map<uint32_t, std::string> names_;
};

}  // namespace kscope
