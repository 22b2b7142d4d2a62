// The wall clock as the JSON contract's timestamps count it.
#pragma once

#include <chrono>
#include <cstdint>

namespace kscope {

// ns since the Unix epoch, now.
inline uint64_t epoch_now_ns() {
    return uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count());
}

}  // namespace kscope
