// Fills what the kernel event lacks (container id) and keeps the process cache current.
// Runs on the reader thread; every lookup is a hash-map hit after the first.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>

#include "events/event.h"
#include "pipeline/cgroup_paths.h"
#include "pipeline/process_cache.h"

namespace kscope {

class Enricher {
public:
    Enricher(ProcessCache& cache, std::string cgroup_mount);

    void enrich(Event& event);
    // Drops what an exit ends (called after every later stage has seen the event).
    void forget(const Event& event);

private:
    std::string container_for(uint64_t cgroup_id, uint32_t pid);
    void observe(const ExecEvent& e);
    template <typename E>
    void observe(const E&) {}  // events that do not change what we know of a process

    ProcessCache& cache_;
    CgroupPaths cgroups_;
    std::unordered_map<uint64_t, std::string> container_by_cgroup_;
};

}  // namespace kscope
