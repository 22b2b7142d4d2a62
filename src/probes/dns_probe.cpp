#include "probes/dns_probe.h"

#include <fmt/format.h>

#include "bpf/map_iter.h"
#include "dns.skel.h"
#include "events/dns_message.h"
#include "events/syscall_stats.h"

namespace kscope {

std::span<const uint8_t> DnsProbe::elf() const { return skeleton_elf(dns_bpf__elf_bytes); }

Result<Event> DnsProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    return as_event(decode_dns(raw, ctx));
}

Result<void> DnsProbe::configure(BpfObject& obj) {
    if (options_.dns_ports.size() > KSCOPE_DNS_PORTS)
        return Error{fmt::format("at most {} DNS ports can be watched, {} given", KSCOPE_DNS_PORTS, options_.dns_ports.size())};
    std::array<uint16_t, KSCOPE_DNS_PORTS> ports{};
    if (options_.dns_ports.empty())
        ports[0] = 53;
    for (size_t i = 0; i < options_.dns_ports.size(); i++) {
        if (options_.dns_ports[i] == 0)
            return Error{"DNS port 0 is not a port"};
        ports[i] = options_.dns_ports[i];
    }
    return obj.set_global("dns_ports", ports.data(), sizeof(ports));
}

Result<DnsCounters> DnsProbe::counters() const {
    if (!obj_)
        return Error{"probe dns is not loaded"};
    auto counters = obj_->map_fd("counters");
    auto rcodes = obj_->map_fd("rcodes");
    auto latency = obj_->map_fd("latency");
    if (!counters || !rcodes || !latency)
        return Error{"probe dns has no counter maps"};
    DnsCounters c;
    c.queries = percpu_sum(*counters, KSCOPE_DNS_QUERIES);
    c.responses = percpu_sum(*counters, KSCOPE_DNS_RESPONSES);
    c.unmatched = percpu_sum(*counters, KSCOPE_DNS_UNMATCHED);
    c.malformed = percpu_sum(*counters, KSCOPE_DNS_MALFORMED);
    c.latency_sum_ns = percpu_sum(*counters, KSCOPE_DNS_LATENCY_NS);
    for (uint32_t i = 0; i < c.by_rcode.size(); i++)
        c.by_rcode[i] = percpu_sum(*rcodes, i);
    for (uint32_t i = 0; i < c.latency.size(); i++)
        c.latency[i] = percpu_sum(*latency, i);
    return c;
}

void DnsProbe::append_metrics(PrometheusText& m) {
    auto c = counters();
    if (!c)
        return;
    m.family("kscope_dns_queries_total", "counter", "DNS queries sent to a DNS port")
        .sample("kscope_dns_queries_total", double(c->queries));
    m.family("kscope_dns_responses_total", "counter", "DNS answers received, by response code");
    for (uint32_t i = 0; i < c->by_rcode.size(); i++)
        if (c->by_rcode[i] || i == 0 || i == 3)  // NOERROR and NXDOMAIN always present
            m.sample("kscope_dns_responses_total", {{"rcode", dns_rcode_name(i)}}, double(c->by_rcode[i]));
    m.family("kscope_dns_unmatched_responses_total", "counter", "DNS answers whose query was not seen")
        .sample("kscope_dns_unmatched_responses_total", double(c->unmatched));
    m.family("kscope_dns_malformed_packets_total", "counter", "packets to or from a DNS port too short for DNS")
        .sample("kscope_dns_malformed_packets_total", double(c->malformed));
    m.family("kscope_dns_latency_seconds", "histogram", "DNS latency, query sent to answer received")
        .log2_histogram("kscope_dns_latency_seconds", {}, c->latency, c->latency_sum_ns);
}

std::string DnsProbe::counters_text() const {
    auto c = counters();
    if (!c)
        return "";
    std::string rcodes;
    for (uint32_t i = 0; i < c->by_rcode.size(); i++)
        if (c->by_rcode[i])
            rcodes += fmt::format(" {} {},", dns_rcode_name(i), c->by_rcode[i]);
    static_assert(KSCOPE_DNS_LATENCY_SLOTS == KSCOPE_LAT_SLOTS);
    return fmt::format("dns: queries {}, responses {} ({}), unmatched {}, malformed {}; latency {}", c->queries,
                       c->responses, rcodes.empty() ? "none" : rcodes.substr(1, rcodes.size() - 2), c->unmatched,
                       c->malformed, latency_percentiles_text(c->latency));
}

}  // namespace kscope
