#include "enforce/flood_probe.h"

#include <bpf/bpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <time.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bpf/map_iter.h"
#include "flood.skel.h"
#include "kscope/abi/flood.h"
#include "util/clock.h"

namespace kscope::enforce {
namespace {

constexpr uint32_t kBpfTcxIngress = 46;  // enum bpf_attach_type BPF_TCX_INGRESS (6.6+; newer than libbpf 1.1's headers)
constexpr auto kReadEvery = std::chrono::milliseconds(250);
constexpr const char* kClassNames[KSCOPE_FLOOD_CLASSES] = {"udp", "tcp_syn", "tcp", "icmp", "other"};

uint64_t monotonic_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);  // bpf_ktime_get_ns()'s clock
    return uint64_t(ts.tv_sec) * 1'000'000'000ull + uint64_t(ts.tv_nsec);
}

struct Mode {
    const char* name;
    uint32_t attach_type;
    uint32_t flags;
    const char* program;
};
constexpr Mode kNative{"native", BPF_XDP, XDP_FLAGS_DRV_MODE, "ks_flood_xdp"};
constexpr Mode kGeneric{"generic", BPF_XDP, XDP_FLAGS_SKB_MODE, "ks_flood_xdp"};
constexpr Mode kTc{"tc", kBpfTcxIngress, 0, "ks_flood_tc"};

std::vector<Mode> modes_for(const std::string& mode) {
    if (mode == "native") return {kNative};
    if (mode == "generic") return {kGeneric};
    if (mode == "tc") return {kTc};
    return {kNative, kGeneric, kTc};
}

}  // namespace

FloodProbe::FloodProbe(FloodConfig config) : config_(std::move(config)), detector_(config_.limits) {}

std::span<const uint8_t> FloodProbe::elf() const { return skeleton_elf(flood_bpf__elf_bytes); }

Result<void> FloodProbe::configure(BpfObject& obj) {
    if (auto r = obj.set_max_entries("sources", config_.max_sources); !r)
        return r;
    return obj.set_max_entries("blocked", std::max<uint32_t>(config_.max_sources / 4, 64));
}

std::vector<HookStatus> FloodProbe::attach() {
    std::vector<HookStatus> out;
    if (!obj_)
        return out;
    for (const auto& name : config_.interfaces) {
        const unsigned ifindex = if_nametoindex(name.c_str());
        if (ifindex == 0) {
            out.push_back({"ks_flood_xdp", "xdp:" + name, false, "no such network interface"});
            continue;
        }
        HookStatus status;
        std::string tried;
        for (const Mode& m : modes_for(config_.mode)) {
            status = obj_->attach_netdev(m.program, int(ifindex), m.attach_type, m.flags,
                                         fmt::format("{}:{} ({})", m.attach_type == BPF_XDP ? "xdp" : "tc", name, m.name));
            if (status.attached) {
                names_[ifindex] = name;
                modes_.emplace_back(name, m.name);
                break;
            }
            tried += fmt::format("{}{}: {}", tried.empty() ? "" : "; ", m.name, status.error);
        }
        if (!status.attached)
            status.error = tried;
        out.push_back(std::move(status));
    }
    return out;
}

bool FloodProbe::read_sources(std::vector<SourceTotals>& out) {
    auto fd = obj_->map_fd("sources");
    const int ncpus = libbpf_num_possible_cpus();
    if (!fd || ncpus <= 0)
        return false;
    constexpr uint32_t kBatch = 1024;
    keys_.resize(kBatch * sizeof(kscope_flood_key));  // reused: read four times a second
    values_.resize(size_t(kBatch) * size_t(ncpus) * sizeof(kscope_flood_counts));
    auto* keys = reinterpret_cast<kscope_flood_key*>(keys_.data());
    auto* values = reinterpret_cast<kscope_flood_counts*>(values_.data());
    uint32_t token = 0;
    for (bool first = true;; first = false) {
        uint32_t count = kBatch;
        const int err = bpf_map_lookup_batch(*fd, first ? nullptr : &token, &token, keys, values, &count, nullptr);
        if (err && err != -ENOENT) {
            if (read_errors_ == 0)
                spdlog::warn("flood: reading the per-source counters: {}", std::strerror(-err));
            return false;
        }
        for (uint32_t i = 0; i < count; i++) {
            SourceTotals t;
            t.ifindex = keys[i].ifindex;
            std::memcpy(t.addr.data(), keys[i].addr, 16);
            for (int c = 0; c < ncpus; c++) {
                const auto& v = values[size_t(i) * size_t(ncpus) + size_t(c)];
                t.packets += v.packets;
                t.udp += v.udp;
                t.syn += v.syn;
            }
            out.push_back(t);
        }
        if (err == -ENOENT)  // that was the last batch
            return true;
    }
}

void FloodProbe::poll(std::vector<Event>& out) {
    const auto now = std::chrono::steady_clock::now();
    if (!obj_ || now - last_read_ < kReadEvery)
        return;
    last_read_ = now;
    std::vector<SourceTotals> totals;
    std::lock_guard lock(mu_);
    const uint64_t mono = monotonic_ns();
    expire_blocks(mono);
    if (!read_sources(totals)) {
        read_errors_++;
        return;
    }
    tracked_ = totals.size();
    for (const auto& f : detector_.observe(totals, mono)) {
        const bool dropped = config_.mitigate && block(f.addr, mono + config_.limits.cooldown_s * 1'000'000'000ull);
        alerts_[f.protocol]++;
        AlertEvent a = make_alert(f, dropped);
        spdlog::warn("flood: {}", a.output);
        out.emplace_back(std::move(a));
    }
}

bool FloodProbe::block(const SourceAddr& addr, uint64_t until_mono_ns) {
    auto fd = obj_->map_fd("blocked");
    if (!fd) {
        spdlog::error("flood: cannot block {}: {}", source_text(addr), fd.error().message);
        return false;
    }
    if (bpf_map_update_elem(*fd, addr.data(), &until_mono_ns, BPF_ANY) != 0) {
        // E2BIG: as many sources are blocked as the map holds (flood.max_sources / 4).
        spdlog::error("flood: cannot block {}: {}", source_text(addr), std::strerror(errno));
        return false;
    }
    blocked_[addr] = until_mono_ns;
    write_blocked_count();
    return true;
}

void FloodProbe::expire_blocks(uint64_t now_mono_ns) {
    auto fd = obj_->map_fd("blocked");
    bool changed = false;
    for (auto it = blocked_.begin(); it != blocked_.end();) {
        if (it->second > now_mono_ns) {
            ++it;
            continue;
        }
        if (fd)
            bpf_map_delete_elem(*fd, it->first.data());
        spdlog::info("flood: {} is no longer dropped (cooldown over)", source_text(it->first));
        it = blocked_.erase(it);
        changed = true;
    }
    if (changed)
        write_blocked_count();
}

void FloodProbe::write_blocked_count() {
    auto fd = obj_->map_fd("blocked_count");
    const uint32_t key = 0, n = uint32_t(blocked_.size());
    if (fd)
        bpf_map_update_elem(*fd, &key, &n, BPF_ANY);
}

AlertEvent FloodProbe::make_alert(const FloodFinding& f, bool mitigated) const {
    AlertEvent a;
    a.common.ts_ns = epoch_now_ns();
    a.source = "flood";
    a.rule = "Packet flood from one source";
    a.priority = "Critical";
    a.tags = {"network", "flood", "T1498"};
    a.saddr = source_text(f.addr);
    a.protocol = f.protocol;
    auto name = names_.find(f.ifindex);
    a.interface = name != names_.end() ? name->second : std::to_string(f.ifindex);
    a.rate = f.rate_pps;
    a.expected_rate = double(f.limit_pps);
    a.mitigated = mitigated;
    a.cooldown_s = config_.limits.cooldown_s;
    if (mitigated) {
        a.action = "drop";
        a.in_kernel = true;
        a.hook = "xdp";
        for (const auto& [iface, mode] : modes_)
            if (iface == a.interface && mode == "tc")
                a.hook = "tc";
        a.stage = "ingress";
    }
    const char* what = f.protocol == "udp" ? "UDP" : f.protocol == "syn" ? "SYN" : "packet";
    a.output = fmt::format("{} flood from {} on {}: {:.0f} packets/s, over the limit of {}/s{}", what, a.saddr,
                           a.interface, f.rate_pps, f.limit_pps,
                           mitigated ? fmt::format("; its packets are dropped for {} s", a.cooldown_s)
                                     : "; not dropped (flood.mitigate is off)");
    return a;
}

void FloodProbe::append_metrics(PrometheusText& m) {
    std::lock_guard lock(mu_);
    if (!obj_)
        return;
    auto packets = obj_->map_fd("packets");
    auto dropped = obj_->map_fd("dropped");
    for (const auto& [name, fd, help] :
         {std::tuple{"kscope_flood_packets_total", packets, "packets passed on the guarded interfaces, per protocol"},
          std::tuple{"kscope_flood_dropped_packets_total", dropped, "packets of blocked sources dropped, per protocol"}}) {
        m.family(name, "counter", help);
        for (uint32_t c = 0; c < KSCOPE_FLOOD_CLASSES; c++)
            m.sample(name, {{"protocol", kClassNames[c]}}, fd ? double(percpu_sum(*fd, c)) : 0);
    }
    m.family("kscope_flood_alerts_total", "counter", "sources found over a limit, per limit (udp, syn, any)");
    for (const char* p : {"udp", "syn", "any"}) {
        auto it = alerts_.find(p);
        m.sample("kscope_flood_alerts_total", {{"protocol", p}}, it == alerts_.end() ? 0 : double(it->second));
    }
    m.family("kscope_flood_blocked_sources", "gauge", "sources whose packets are dropped now")
        .sample("kscope_flood_blocked_sources", double(blocked_.size()));
    m.family("kscope_flood_tracked_sources", "gauge", "sources counted in the kernel (LRU, flood.max_sources)")
        .sample("kscope_flood_tracked_sources", double(tracked_));
    m.family("kscope_flood_read_errors_total", "counter", "reads of the per-source counters that failed")
        .sample("kscope_flood_read_errors_total", double(read_errors_));
    m.family("kscope_flood_interface_up", "gauge", "1 per guarded interface, with the mode attached");
    for (const auto& [iface, mode] : modes_)
        m.sample("kscope_flood_interface_up", {{"interface", iface}, {"mode", mode}}, 1);
}

std::string FloodProbe::counters_text() const {
    std::lock_guard lock(mu_);
    return fmt::format("{} sources tracked, {} blocked", tracked_, blocked_.size());
}

}  // namespace kscope::enforce
