// The `epoch` map of probes that keep per-interval maxima (lib/latency.bpf.h): user
// space starts the next interval before it reads, and keeps the maximum of values whose
// epoch is the interval that ended or the one that started.
#pragma once

#include <cstdint>
#include <string_view>

#include "bpf/bpf_object.h"
#include "util/result.h"

namespace kscope {

class IntervalEpoch {
public:
    // Starts the next interval; waits a moment for programs still writing the old one.
    Result<void> advance(const BpfObject& obj, std::string_view probe);
    uint64_t ended() const { return ended_; }
    uint64_t current() const { return current_; }

private:
    uint64_t ended_ = 0, current_ = 0;
};

}  // namespace kscope
