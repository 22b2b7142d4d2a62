#include "events/names.h"

#include <cstdlib>
#include <cstring>

namespace kscope {

std::string errno_name(int err) {
    err = std::abs(err);
    if (err == 0)
        return "";
    if (const char* n = strerrorname_np(err))
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
