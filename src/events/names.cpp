#include "events/names.h"

#include <cstdlib>
#include <cstring>

namespace kscope {

namespace {

// Kernel-internal codes a tracer sees at syscall exit before the kernel restarts the call
// or translates the code (include/linux/errno.h); user space never receives them.
const char* kernel_internal_errno(int err) {
    switch (err) {
    case 512: return "ERESTARTSYS";
    case 513: return "ERESTARTNOINTR";
    case 514: return "ERESTARTNOHAND";
    case 515: return "ENOIOCTLCMD";
    case 516: return "ERESTART_RESTARTBLOCK";
    case 517: return "EPROBE_DEFER";
    case 518: return "EOPENSTALE";
    case 519: return "ENOPARAM";
    case 521: return "EBADHANDLE";
    case 524: return "ENOTSUPP";
    case 526: return "EIOCBQUEUED";
    }
    return nullptr;
}

}  // namespace

std::string errno_name(int err) {
    err = std::abs(err);
    if (err == 0)
        return "";
    if (const char* n = strerrorname_np(err))
        return n;
    if (const char* n = kernel_internal_errno(err))
        return n;
    return "E" + std::to_string(err);
}

std::string signal_name(int sig) {
    if (sig == 0)
        return "";
    if (const char* n = sigabbrev_np(sig))
        return std::string("SIG") + n;
    return "SIG" + std::to_string(sig);
}

}  // namespace kscope
