// A DNS message (RFC 1035) parsed from untrusted bytes: every read is bounds-checked,
// compression pointers may only point backwards (so a name cannot loop), names are
// limited to 255 bytes. A message cut short after its question still yields the header,
// the question and the answers that were complete.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace kscope {

struct DnsRecord {
    std::string name;
    uint16_t type = 0;
    uint16_t klass = 0;
    uint32_t ttl = 0;
    std::string data;  // A/AAAA: the address; CNAME/NS/PTR: the name; else ""
};

struct DnsMessage {
    uint16_t id = 0;
    bool response = false;  // QR
    uint8_t opcode = 0;
    uint8_t rcode = 0;
    bool truncated_flag = false;  // TC: the server cut the answer (retry over TCP)
    uint16_t questions = 0, answers = 0, authorities = 0, additionals = 0;
    std::string qname;  // the first question; "." for the root
    uint16_t qtype = 0, qclass = 0;
    std::vector<DnsRecord> answer_records;  // as many as could be read
    bool complete = true;  // false when the bytes ended before the answer section did
};

// Fails only when the header or the first question cannot be read.
Result<DnsMessage> parse_dns_message(std::span<const uint8_t> bytes);

// A standard query (recursion desired, class IN) for one name, e.g. "example.com";
// labels longer than 63 bytes are cut. For tests and workload generators.
std::vector<uint8_t> encode_dns_query(uint16_t id, std::string_view name, uint16_t qtype);

// A name as DNS compares it: ASCII case folded, without the root's trailing dot
// ("FOO.Test." -> "foo.test"; "." stays ".").
std::string dns_name_key(std::string_view name);

// "A", "AAAA", ... or "TYPE65534" (RFC 3597 style) for the rest.
std::string dns_type_name(uint16_t type);
// "NOERROR", "NXDOMAIN", ... or "RCODE12".
std::string dns_rcode_name(uint8_t rcode);

}  // namespace kscope
