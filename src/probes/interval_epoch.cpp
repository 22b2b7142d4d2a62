#include "probes/interval_epoch.h"

#include <bpf/bpf.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

namespace kscope {

Result<void> IntervalEpoch::advance(const BpfObject& obj, std::string_view probe) {
    auto fd = obj.map_fd("epoch");
    if (!fd)
        return fd.error();
    const uint32_t zero = 0;
    const uint64_t next = current_ + 1;
    if (bpf_map_update_elem(*fd, &zero, &next, BPF_ANY))
        return errno_error("probe " + std::string(probe) + ": advancing the interval", errno);
    ended_ = current_;
    current_ = next;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return {};
}

}  // namespace kscope
