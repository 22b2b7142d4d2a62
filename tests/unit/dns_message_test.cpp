// The DNS parser reads untrusted bytes: well-formed messages parse exactly, and every
// malformed or cut-short input fails or stops cleanly (never loops, never reads past).
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <vector>

#include "events/decode.h"
#include "events/dns_message.h"
#include "kscope/abi/dns.h"

namespace kscope {
namespace {

using Bytes = std::vector<uint8_t>;

void put16(Bytes& b, uint16_t v) {
    b.push_back(uint8_t(v >> 8));
    b.push_back(uint8_t(v));
}

Bytes header(uint16_t id, uint16_t flags, uint16_t qd, uint16_t an) {
    Bytes b;
    for (uint16_t v : {id, flags, qd, an, uint16_t(0), uint16_t(0)})
        put16(b, v);
    return b;
}

void name(Bytes& b, std::initializer_list<const char*> labels) {
    for (const char* l : labels) {
        b.push_back(uint8_t(std::strlen(l)));
        b.insert(b.end(), l, l + std::strlen(l));
    }
    b.push_back(0);
}

// A response for www.example.com: CNAME to web.example.com (compressed), then an A and
// an AAAA record for it, both named by pointers.
Bytes example_response() {
    Bytes b = header(0xBEEF, 0x8180, 1, 3);
    name(b, {"www", "example", "com"});  // offset 12
    put16(b, 1);
    put16(b, 1);
    // CNAME: name -> pointer to 12; rdata "web" + pointer to "example.com" (offset 16)
    b.insert(b.end(), {0xC0, 12});
    put16(b, 5);
    put16(b, 1);
    b.insert(b.end(), {0, 0, 0, 60});
    put16(b, 6);
    const size_t web = b.size();
    b.insert(b.end(), {3, 'w', 'e', 'b', 0xC0, 16});
    for (int family : {AF_INET, AF_INET6}) {
        b.insert(b.end(), {0xC0, uint8_t(web)});
        put16(b, family == AF_INET ? 1 : 28);
        put16(b, 1);
        b.insert(b.end(), {0, 0, 1, 0});
        uint8_t addr[16];
        inet_pton(family, family == AF_INET ? "93.184.216.34" : "2606:2800:220:1::248", addr);
        put16(b, family == AF_INET ? 4 : 16);
        b.insert(b.end(), addr, addr + (family == AF_INET ? 4 : 16));
    }
    return b;
}

TEST(DnsMessage, ResponseWithCompressedNames) {
    auto m = parse_dns_message(example_response());
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->id, 0xBEEF);
    EXPECT_TRUE(m->response);
    EXPECT_EQ(m->rcode, 0);
    EXPECT_EQ(m->qname, "www.example.com");
    EXPECT_EQ(m->qtype, 1);
    EXPECT_EQ(m->answers, 3);
    EXPECT_TRUE(m->complete);
    ASSERT_EQ(m->answer_records.size(), 3u);
    EXPECT_EQ(m->answer_records[0].type, 5);
    EXPECT_EQ(m->answer_records[0].name, "www.example.com");
    EXPECT_EQ(m->answer_records[0].data, "web.example.com");
    EXPECT_EQ(m->answer_records[0].ttl, 60u);
    EXPECT_EQ(m->answer_records[1].name, "web.example.com");
    EXPECT_EQ(m->answer_records[1].data, "93.184.216.34");
    EXPECT_EQ(m->answer_records[2].data, "2606:2800:220:1::248");
    EXPECT_EQ(m->answer_records[2].ttl, 256u);
}

TEST(DnsMessage, EveryPrefixParsesOrFailsCleanly) {
    const Bytes full = example_response();
    for (size_t n = 0; n < full.size(); n++) {
        auto m = parse_dns_message(std::span(full.data(), n));
        if (n < 12) {
            EXPECT_FALSE(m.ok()) << n;
        } else if (m.ok() && m->questions) {
            EXPECT_EQ(m->qname, "www.example.com") << n;
            EXPECT_FALSE(m->complete) << n;  // answers are missing
            EXPECT_LT(m->answer_records.size(), 3u) << n;
        }
    }
}

TEST(DnsMessage, PointerLoopsAndForwardPointersFail) {
    Bytes self = header(1, 0x8180, 1, 0);
    self.insert(self.end(), {0xC0, 12, 0, 1, 0, 1});  // name at 12 points to 12
    EXPECT_FALSE(parse_dns_message(self).ok());

    Bytes forward = header(1, 0x8180, 1, 0);
    forward.insert(forward.end(), {0xC0, 14, 1, 'a', 0, 0, 1, 0, 1});  // points ahead
    EXPECT_FALSE(parse_dns_message(forward).ok());

    // Two names pointing at each other through an answer: the answer fails, the
    // question stands.
    Bytes mutual = header(1, 0x8180, 1, 1);
    name(mutual, {"a"});  // 12..14
    put16(mutual, 1);
    put16(mutual, 1);
    const size_t rec = mutual.size();
    mutual.insert(mutual.end(), {1, 'b', 0xC0, uint8_t(rec)});  // label then pointer to itself
    auto m = parse_dns_message(mutual);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->qname, "a");
    EXPECT_FALSE(m->complete);
    EXPECT_TRUE(m->answer_records.empty());
}

TEST(DnsMessage, OverlongNamesAndLabelsFail) {
    Bytes b = header(1, 0, 1, 0);
    for (int i = 0; i < 5; i++) {  // 5 x (1 + 63) = 320 > 255
        b.push_back(63);
        b.insert(b.end(), 63, 'x');
    }
    b.push_back(0);
    put16(b, 1);
    put16(b, 1);
    EXPECT_FALSE(parse_dns_message(b).ok());

    Bytes ext = header(1, 0, 1, 0);
    ext.insert(ext.end(), {0x41, 'a', 0, 0, 1, 0, 1});  // 0x40: obsolete extended label
    EXPECT_FALSE(parse_dns_message(ext).ok());
}

TEST(DnsMessage, EscapesUnprintableAndDotsInLabels) {
    Bytes b = header(7, 0x0100, 1, 0);
    b.insert(b.end(), {3, 'a', '.', 0x07, 1, '\\', 0});
    put16(b, 16);
    put16(b, 1);
    auto m = parse_dns_message(b);
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->qname, "a\\.\\007.\\\\");
    EXPECT_FALSE(m->response);
    EXPECT_EQ(dns_type_name(m->qtype), "TXT");
}

TEST(DnsMessage, RandomBytesNeverCrash) {
    std::mt19937 rng(12345);
    for (int i = 0; i < 20000; i++) {
        Bytes b(rng() % 200);
        for (auto& c : b)
            c = uint8_t(rng());
        if (b.size() >= 6) {  // plausible counts so the sections are walked
            b[4] = 0;
            b[5] = 1 + rng() % 2;
            b[6 % b.size()] = 0;
            b[7 % b.size()] = uint8_t(rng() % 8);
        }
        auto m = parse_dns_message(b);
        if (m.ok()) {
            EXPECT_LE(m->qname.size(), 4u * 255u);
        }
    }
}

TEST(DnsMessage, EncodedQueryParsesBack) {
    auto m = parse_dns_message(encode_dns_query(0x4242, "www.kscope.test", 28));
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->id, 0x4242);
    EXPECT_FALSE(m->response);
    EXPECT_EQ(m->qname, "www.kscope.test");
    EXPECT_EQ(m->qtype, 28);
    EXPECT_EQ(m->qclass, 1);
}

TEST(DnsMessage, Names) {
    EXPECT_EQ(dns_type_name(28), "AAAA");
    EXPECT_EQ(dns_type_name(65), "HTTPS");
    EXPECT_EQ(dns_type_name(65280), "TYPE65280");
    EXPECT_EQ(dns_rcode_name(3), "NXDOMAIN");
    EXPECT_EQ(dns_rcode_name(2), "SERVFAIL");
    EXPECT_EQ(dns_rcode_name(15), "RCODE15");
}

std::vector<std::byte> raw_event(const kscope_dns_event& e, const Bytes& msg) {
    const size_t fixed = offsetof(kscope_dns_event, payload);
    std::vector<std::byte> raw(fixed + msg.size());
    std::memcpy(raw.data(), &e, fixed);
    std::memcpy(raw.data() + fixed, msg.data(), msg.size());
    return raw;
}

TEST(DecodeDns, ResponseEventCarriesFlowAnswersAndLatency) {
    const Bytes msg = example_response();
    kscope_dns_event e{};
    e.hdr.type = KSCOPE_EVENT_DNS;
    e.hdr.pid = 42;
    e.hdr.size = offsetof(kscope_dns_event, payload) + msg.size();
    e.kind = KSCOPE_DNS_RESPONSE;
    e.family = AF_INET;
    e.transport = IPPROTO_UDP;
    inet_pton(AF_INET, "10.0.0.2", e.saddr);
    inet_pton(AF_INET, "10.0.0.53", e.daddr);
    e.sport = 40000;
    e.dport = 53;
    e.latency_ns = 1500;
    e.message_len = msg.size();
    e.payload_len = msg.size();
    auto d = decode_dns(raw_event(e, msg), {});
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_STREQ(d->event, "response");
    EXPECT_STREQ(dns_event_type_name(*d), "dns_response");
    EXPECT_EQ(d->common.pid, 42u);
    EXPECT_EQ(d->saddr, "10.0.0.2");
    EXPECT_EQ(d->daddr, "10.0.0.53");
    EXPECT_EQ(d->name, "www.example.com");
    EXPECT_EQ(d->query_type, "A");
    EXPECT_EQ(d->rcode, "NOERROR");
    EXPECT_EQ(d->answers, 3);
    EXPECT_EQ(d->addresses, (std::vector<std::string>{"93.184.216.34", "2606:2800:220:1::248"}));
    EXPECT_EQ(d->latency_ns, 1500u);
    EXPECT_FALSE(d->truncated);

    e.message_len = 900;  // longer than what was carried
    d = decode_dns(raw_event(e, msg), {});
    ASSERT_TRUE(d.ok());
    EXPECT_TRUE(d->truncated);
}

TEST(DecodeDns, LyingLengthsAreErrors) {
    const Bytes msg = example_response();
    kscope_dns_event e{};
    e.hdr.type = KSCOPE_EVENT_DNS;
    e.kind = KSCOPE_DNS_QUERY;
    e.payload_len = msg.size() + 1;  // more than the record holds
    EXPECT_FALSE(decode_dns(raw_event(e, msg), {}).ok());
    e.payload_len = 5;  // a DNS header does not fit
    EXPECT_FALSE(decode_dns(raw_event(e, msg), {}).ok());
}

}  // namespace
}  // namespace kscope

namespace kscope {
namespace {

TEST(DnsNameKey, CaseInsensitiveWithoutTrailingDot) {
    EXPECT_EQ(dns_name_key("FOO.TEST."), "foo.test");
    EXPECT_EQ(dns_name_key("foo.test"), "foo.test");
    EXPECT_EQ(dns_name_key("Example.COM"), "example.com");
    EXPECT_EQ(dns_name_key("."), ".");
    EXPECT_EQ(dns_name_key(""), "");
    EXPECT_EQ(dns_name_key("\xc3\x89.test"), "\xc3\x89.test");  // only ASCII letters fold
}

}  // namespace
}  // namespace kscope
