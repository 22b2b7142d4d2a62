#include "sinks/clock_time.h"

#include <ctime>

namespace kscope {

std::string clock_time(uint64_t ts_ns) {
    time_t secs = static_cast<time_t>(ts_ns / 1'000'000'000);
    tm local{};
    localtime_r(&secs, &local);
    char when[16];
    std::strftime(when, sizeof when, "%H:%M:%S", &local);
    return when;
}

}  // namespace kscope
