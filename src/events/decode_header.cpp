#include <cstring>
#include <ctime>

#include "events/decode.h"

namespace kscope {

Result<CommonFields> decode_header(RawEvent raw, uint16_t expected_type, size_t min_size,
                                   const DecodeContext& ctx) {
    kscope_event_header h;
    if (raw.size() < sizeof(h) || raw.size() < min_size)
        return Error{"event of " + std::to_string(raw.size()) + " bytes is shorter than its " +
                     std::to_string(min_size) + "-byte fixed part"};
    std::memcpy(&h, raw.data(), sizeof(h));
    if (h.type != expected_type)
        return Error{"event type " + std::to_string(h.type) + ", expected " +
                     std::to_string(expected_type)};
    if (h.size > raw.size())
        return Error{"event claims " + std::to_string(h.size) + " bytes but has " +
                     std::to_string(raw.size())};
    CommonFields c;
    c.ts_ns = h.ts_ns + ctx.boot_to_epoch_ns;
    c.pid = h.pid;
    c.tid = h.tid;
    c.ppid = h.ppid;
    c.uid = h.uid;
    c.gid = h.gid;
    c.comm.assign(h.comm, strnlen(h.comm, sizeof(h.comm)));
    c.cgroup_id = h.cgroup_id;
    return c;
}

int64_t boot_to_epoch_offset_ns() {
    timespec real{}, boot{};
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_BOOTTIME, &boot);
    auto ns = [](const timespec& t) { return int64_t(t.tv_sec) * 1'000'000'000 + t.tv_nsec; };
    return ns(real) - ns(boot);
}

}  // namespace kscope
