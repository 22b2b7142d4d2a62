#include "probes/tcp_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <array>
#include <vector>

#include <fmt/format.h>

#include "bpf/map_iter.h"
#include "events/syscall_stats.h"
#include "kscope/abi/tcp.h"
#include "tcp.skel.h"

namespace kscope {

std::span<const uint8_t> TcpProbe::elf() const { return skeleton_elf(tcp_bpf__elf_bytes); }

Result<Event> TcpProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    return as_event(decode_tcp(raw, ctx));
}

std::string TcpProbe::counters_text() const {
    if (!obj_)
        return "";
    auto counters = obj_->map_fd("counters");
    auto latency = obj_->map_fd("connect_latency");
    if (!counters || !latency)
        return "";
    uint64_t c[KSCOPE_TCP_COUNTERS];
    for (uint32_t i = 0; i < KSCOPE_TCP_COUNTERS; i++)
        c[i] = percpu_sum(*counters, i);
    static_assert(KSCOPE_TCP_LATENCY_SLOTS == KSCOPE_LAT_SLOTS);
    std::array<uint64_t, KSCOPE_LAT_SLOTS> hist{};
    for (uint32_t i = 0; i < hist.size(); i++)
        hist[i] = percpu_sum(*latency, i);
    return fmt::format(
        "{}: opened {}, accepted {}, failed {}, closed {}, retransmits {}, resets sent {}, resets received {}; "
        "connect latency {}",
        name(), c[KSCOPE_TCP_OPENED], c[KSCOPE_TCP_ACCEPTED], c[KSCOPE_TCP_FAILED], c[KSCOPE_TCP_CLOSED],
        c[KSCOPE_TCP_RETRANSMITS], c[KSCOPE_TCP_RESETS_SENT], c[KSCOPE_TCP_RESETS_RECEIVED],
        latency_percentiles_text(hist));
}

void TcpProbe::append_metrics(PrometheusText& m) {
    if (!obj_ || retransmits_)  // one object serves both tools; count it once
        return;
    auto counters = obj_->map_fd("counters");
    auto latency = obj_->map_fd("connect_latency");
    if (!counters || !latency)
        return;
    auto c = [&](uint32_t slot) { return double(percpu_sum(*counters, slot)); };
    m.family("kscope_tcp_connections_opened_total", "counter", "TCP active opens that reached ESTABLISHED")
        .sample("kscope_tcp_connections_opened_total", c(KSCOPE_TCP_OPENED));
    m.family("kscope_tcp_connections_accepted_total", "counter", "TCP passive opens that reached ESTABLISHED")
        .sample("kscope_tcp_connections_accepted_total", c(KSCOPE_TCP_ACCEPTED));
    m.family("kscope_tcp_connections_failed_total", "counter", "TCP active opens that failed (refused, timed out)")
        .sample("kscope_tcp_connections_failed_total", c(KSCOPE_TCP_FAILED));
    m.family("kscope_tcp_connections_closed_total", "counter", "established TCP connections that closed")
        .sample("kscope_tcp_connections_closed_total", c(KSCOPE_TCP_CLOSED));
    m.family("kscope_tcp_retransmits_total", "counter", "TCP segments retransmitted")
        .sample("kscope_tcp_retransmits_total", c(KSCOPE_TCP_RETRANSMITS));
    m.family("kscope_tcp_resets_total", "counter", "TCP resets, by direction")
        .sample("kscope_tcp_resets_total", {{"direction", "sent"}}, c(KSCOPE_TCP_RESETS_SENT))
        .sample("kscope_tcp_resets_total", {{"direction", "received"}}, c(KSCOPE_TCP_RESETS_RECEIVED));
    std::array<uint64_t, KSCOPE_TCP_LATENCY_SLOTS> hist{};
    for (uint32_t i = 0; i < hist.size(); i++)
        hist[i] = percpu_sum(*latency, i);
    m.family("kscope_tcp_connect_latency_seconds", "histogram", "TCP connect latency, SYN sent to established")
        .log2_histogram("kscope_tcp_connect_latency_seconds", {}, hist, percpu_sum(*counters, KSCOPE_TCP_CONNECT_LATENCY_NS));
}

Result<void> TcpProbe::configure(BpfObject& obj) {
    if (auto r = obj.set_const<bool>("emit_lifecycle", !retransmits_); !r)
        return r;
    return obj.set_const<bool>("emit_retransmits", retransmits_);
}

uint64_t TcpProbe::kernel_misses() const {
    if (!obj_)
        return 0;
    const uint64_t state = obj_->program_misses("ks_tcp_state");
    const uint64_t others = obj_->program_misses() - state - obj_->program_misses("ks_tcp_state_nested");
    auto fd = obj_->map_fd("recovered");
    const uint64_t recovered = fd ? percpu_sum(*fd, 0) : 0;
    return others + (state > recovered ? state - recovered : 0);
}

}  // namespace kscope
