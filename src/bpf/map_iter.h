// Reads BPF maps from user space: whole hash maps, per-CPU slots.
#pragma once

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cstdint>

#include <functional>
#include <vector>

namespace kscope {

// One slot of a per-CPU array of u64 counters, summed over CPUs (0 if unreadable).
inline uint64_t percpu_sum(int map_fd, uint32_t slot) {
    std::vector<uint64_t> per_cpu(std::max(libbpf_num_possible_cpus(), 1));
    uint64_t total = 0;
    if (bpf_map_lookup_elem(map_fd, &slot, per_cpu.data()) == 0)
        for (uint64_t n : per_cpu)
            total += n;
    return total;
}

// Calls fn(key, value) for each entry; entries added or removed meanwhile may or may not
// be seen, as with any hash-map walk.
template <typename K, typename V>
void for_each_entry(int map_fd, const std::function<void(const K&, const V&)>& fn) {
    K key{}, next{};
    V value{};
    const void* prev = nullptr;
    while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
        if (bpf_map_lookup_elem(map_fd, &next, &value) == 0)
            fn(next, value);
        key = next;
        prev = &key;
    }
}

// Per-CPU maps: fn(key, values) with one value per possible CPU.
template <typename K, typename V>
void for_each_percpu_entry(int map_fd, int ncpus, const std::function<void(const K&, const std::vector<V>&)>& fn) {
    K key{}, next{};
    std::vector<V> values(ncpus);
    const void* prev = nullptr;
    while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
        if (bpf_map_lookup_elem(map_fd, &next, values.data()) == 0)
            fn(next, values);
        key = next;
        prev = &key;
    }
}

}  // namespace kscope
