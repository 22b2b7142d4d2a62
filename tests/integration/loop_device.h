// A loop device over a file in /tmp for block I/O tests, and a reader that makes a known
// number of O_DIRECT reads of it.
#pragma once

#include <sys/types.h>

#include <string>

#include "harness.h"

namespace kscope::test {

// Attached before kscope starts and left to settle, so the kernel's and udev's own first
// reads of a new disk are not counted; detached and removed at the end.
class LoopDevice {
public:
    LoopDevice();
    ~LoopDevice();
    LoopDevice(const LoopDevice&) = delete;
    LoopDevice& operator=(const LoopDevice&) = delete;
    bool ok() const { return !name_.empty(); }
    const std::string& dev() const { return dev_; }   // "/dev/loop3"
    const std::string& name() const { return name_; } // "loop3"

private:
    TempDir dir_;
    std::string file_, dev_, name_;
};

// A child named kscope-bio that makes `reads` O_DIRECT 4 KiB reads of dev at distinct,
// non-adjacent offsets (nothing to merge), then exits 0.
pid_t direct_reader(const std::string& dev, int reads);

}  // namespace kscope::test
