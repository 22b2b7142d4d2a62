#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstring>

#include "events/decode.h"
#include "events/dns_message.h"
#include "events/ip_address.h"
#include "kscope/abi/dns.h"

namespace kscope {

Result<DnsEvent> decode_dns(RawEvent raw, const DecodeContext& ctx) {
    constexpr size_t fixed = offsetof(kscope_dns_event, payload);
    auto common = decode_header(raw, KSCOPE_EVENT_DNS, fixed, ctx);
    if (!common)
        return common.error().context("dns event");
    kscope_dns_event e;
    std::memcpy(&e, raw.data(), fixed);
    if (e.payload_len > KSCOPE_DNS_PAYLOAD_MAX || fixed + e.payload_len > raw.size())
        return Error{"dns event claims " + std::to_string(e.payload_len) + " message bytes but carries " +
                     std::to_string(raw.size() - fixed)};
    auto payload = std::span(reinterpret_cast<const uint8_t*>(raw.data()) + fixed, e.payload_len);
    auto msg = parse_dns_message(payload);
    if (!msg)
        return msg.error().context("dns message");

    DnsEvent out;
    out.common = std::move(common.value());
    out.event = e.kind == KSCOPE_DNS_QUERY ? "query" : "response";
    out.family = e.family == AF_INET6 ? "ipv6" : "ipv4";
    out.transport = e.transport == IPPROTO_TCP ? "tcp" : "udp";
    out.saddr = ip_address_text(e.family, e.saddr);
    out.daddr = ip_address_text(e.family, e.daddr);
    out.sport = e.sport;
    out.dport = e.dport;
    out.id = msg->id;
    out.name = msg->qname;
    out.query_type = dns_type_name(msg->qtype);
    if (e.kind == KSCOPE_DNS_RESPONSE) {
        out.rcode = dns_rcode_name(msg->rcode);
        out.answers = msg->answers;
        out.latency_ns = e.latency_ns;
        for (const auto& rec : msg->answer_records)
            if ((rec.type == 1 || rec.type == 28) && !rec.data.empty())
                out.addresses.push_back(rec.data);
    }
    out.truncated = e.payload_len < e.message_len || !msg->complete;
    return out;
}

}  // namespace kscope
