// Synthetic raw events for decoder tests: a header as the BPF side fills it, an event's
// bytes with its variable tail, and the common fields that header decodes to.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "events/decode.h"
#include "kscope/abi/common.h"

namespace kscope::test {

inline kscope_event_header header(uint16_t type, uint16_t size) {
    kscope_event_header h{};
    h.ts_ns = 1000;
    h.cgroup_id = 77;
    h.pid = 42;
    h.tid = 43;
    h.ppid = 1;
    h.uid = 1000;
    h.gid = 100;
    h.type = type;
    h.size = size;
    std::strncpy(h.comm, "sudo", sizeof h.comm);
    return h;
}

template <typename T>
std::vector<std::byte> bytes_of(const T& e, const std::string& tail = "") {
    std::vector<std::byte> raw(sizeof e + tail.size());
    std::memcpy(raw.data(), &e, sizeof e);
    std::memcpy(raw.data() + sizeof e, tail.data(), tail.size());
    return raw;
}

// What header() decodes to with kCtx.
inline void expect_common(const CommonFields& c) {
    EXPECT_EQ(c.ts_ns, 1005u);
    EXPECT_EQ(c.pid, 42u);
    EXPECT_EQ(c.tid, 43u);
    EXPECT_EQ(c.ppid, 1u);
    EXPECT_EQ(c.uid, 1000u);
    EXPECT_EQ(c.gid, 100u);
    EXPECT_EQ(c.comm, "sudo");
    EXPECT_EQ(c.cgroup_id, 77u);
}

inline const DecodeContext kCtx{.boot_to_epoch_ns = 5};

}  // namespace kscope::test
