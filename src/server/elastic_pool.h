// The HTTP server's workers: cpp-httplib gives each connection a thread for as long as it
// lasts, so a fixed pool lets a few hundred slow or idle clients starve /healthz and
// /metrics. This pool keeps `base` threads and grows, a thread per waiting connection, up
// to `max`; threads beyond `base` leave after a while idle.
#pragma once

#include <cstddef>
#include <memory>

namespace httplib {
class TaskQueue;
}

namespace kscope {

std::unique_ptr<httplib::TaskQueue> make_elastic_pool(size_t base, size_t max);

}  // namespace kscope
