#include "sinks/clock_time.h"

#include <cstdio>
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

std::string date_time(uint64_t ts_ns) {
    time_t secs = static_cast<time_t>(ts_ns / 1'000'000'000);
    tm local{};
    localtime_r(&secs, &local);
    char when[32];
    size_t n = std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &local);
    std::snprintf(when + n, sizeof when - n, ".%03u", unsigned(ts_ns / 1'000'000 % 1000));
    return when;
}

}  // namespace kscope
