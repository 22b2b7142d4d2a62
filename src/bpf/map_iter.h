// Walks every entry of a hash map from user space.
#pragma once

#include <bpf/bpf.h>

#include <functional>
#include <vector>

namespace kscope {

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
