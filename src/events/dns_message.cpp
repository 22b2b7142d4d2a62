#include "events/dns_message.h"

#include <arpa/inet.h>

#include <algorithm>
#include <sys/socket.h>

#include <fmt/format.h>

#include "events/ip_address.h"

namespace kscope {
namespace {

constexpr size_t kHeaderLen = 12;
constexpr size_t kMaxNameLen = 255;  // RFC 1035 2.3.4, in wire bytes

// Reads big-endian fields from a span, never past its end.
class Reader {
public:
    explicit Reader(std::span<const uint8_t> b) : bytes_(b) {}
    bool u16(size_t& pos, uint16_t& out) const {
        if (pos + 2 > bytes_.size())
            return false;
        out = static_cast<uint16_t>(bytes_[pos] << 8 | bytes_[pos + 1]);
        pos += 2;
        return true;
    }
    bool u32(size_t& pos, uint32_t& out) const {
        uint16_t hi, lo;
        if (!u16(pos, hi) || !u16(pos, lo))
            return false;
        out = uint32_t(hi) << 16 | lo;
        return true;
    }
    // A possibly compressed name starting at pos; pos moves past it in place.
    bool name(size_t& pos, std::string& out) const {
        out.clear();
        size_t at = pos;
        size_t wire_len = 0;
        bool jumped = false;
        // Each pointer must point before the label that holds it, so offsets strictly
        // decrease along jumps and the walk ends within bytes_.size() steps.
        size_t lowest = at;
        while (true) {
            if (at >= bytes_.size())
                return false;
            const uint8_t len = bytes_[at];
            if ((len & 0xC0) == 0xC0) {
                if (at + 1 >= bytes_.size())
                    return false;
                const size_t target = size_t(len & 0x3F) << 8 | bytes_[at + 1];
                if (target >= lowest)
                    return false;
                if (!jumped)
                    pos = at + 2;
                jumped = true;
                at = lowest = target;
                continue;
            }
            if (len & 0xC0)  // 0x40/0x80: extended label types, obsolete
                return false;
            if (len == 0) {
                if (!jumped)
                    pos = at + 1;
                if (out.empty())
                    out = ".";
                return true;
            }
            wire_len += len + 1;
            if (wire_len + 1 > kMaxNameLen || at + 1 + len > bytes_.size())
                return false;
            if (!out.empty())
                out += '.';
            append_label(bytes_.subspan(at + 1, len), out);
            at += 1 + len;
        }
    }
    std::span<const uint8_t> bytes(size_t pos, size_t n) const {
        if (pos + n > bytes_.size())
            return {};
        return bytes_.subspan(pos, n);
    }
    size_t size() const { return bytes_.size(); }

private:
    // Presentation format (as dig prints): '.' and '\' escaped, unprintable bytes as \DDD.
    static void append_label(std::span<const uint8_t> label, std::string& out) {
        for (uint8_t c : label) {
            if (c == '.' || c == '\\')
                out += fmt::format("\\{}", char(c));
            else if (c > 0x20 && c < 0x7F)
                out += char(c);
            else
                out += fmt::format("\\{:03d}", c);
        }
    }
    std::span<const uint8_t> bytes_;
};

constexpr uint16_t kTypeA = 1, kTypeNS = 2, kTypeCNAME = 5, kTypePTR = 12, kTypeAAAA = 28;

}  // namespace

Result<DnsMessage> parse_dns_message(std::span<const uint8_t> bytes) {
    if (bytes.size() < kHeaderLen)
        return Error{fmt::format("DNS message of {} bytes is shorter than its header", bytes.size())};
    Reader r(bytes);
    DnsMessage m;
    size_t pos = 0;
    uint16_t flags = 0;
    r.u16(pos, m.id);
    r.u16(pos, flags);
    r.u16(pos, m.questions);
    r.u16(pos, m.answers);
    r.u16(pos, m.authorities);
    r.u16(pos, m.additionals);
    m.response = flags & 0x8000;
    m.opcode = (flags >> 11) & 0xF;
    m.truncated_flag = flags & 0x0200;
    m.rcode = flags & 0xF;
    if (m.questions == 0)
        return m;  // legal (e.g. some NOTIFY/UPDATE forms); nothing more to read
    if (!r.name(pos, m.qname) || !r.u16(pos, m.qtype) || !r.u16(pos, m.qclass))
        return Error{"DNS question section is malformed or cut short"};
    // Further questions (almost never sent) are skipped.
    for (uint16_t i = 1; i < m.questions; i++) {
        std::string ignored;
        uint16_t t, c;
        if (!r.name(pos, ignored) || !r.u16(pos, t) || !r.u16(pos, c)) {
            m.complete = false;
            return m;
        }
    }
    for (uint16_t i = 0; i < m.answers; i++) {
        DnsRecord rec;
        uint16_t rdlen = 0;
        if (!r.name(pos, rec.name) || !r.u16(pos, rec.type) || !r.u16(pos, rec.klass) || !r.u32(pos, rec.ttl) ||
            !r.u16(pos, rdlen) || r.bytes(pos, rdlen).size() != rdlen) {
            m.complete = false;
            break;
        }
        auto rdata = r.bytes(pos, rdlen);
        if (rec.type == kTypeA && rdlen == 4) {
            rec.data = ip_address_text(AF_INET, rdata.data());
        } else if (rec.type == kTypeAAAA && rdlen == 16) {
            rec.data = ip_address_text(AF_INET6, rdata.data());
        } else if (rec.type == kTypeCNAME || rec.type == kTypeNS || rec.type == kTypePTR) {
            size_t at = pos;
            if (!r.name(at, rec.data) || at != pos + rdlen)
                rec.data.clear();
        }
        pos += rdlen;
        m.answer_records.push_back(std::move(rec));
    }
    return m;
}

std::vector<uint8_t> encode_dns_query(uint16_t id, std::string_view name, uint16_t qtype) {
    std::vector<uint8_t> q = {uint8_t(id >> 8), uint8_t(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    size_t start = 0;
    while (start < name.size()) {
        size_t dot = name.find('.', start);
        if (dot == std::string_view::npos)
            dot = name.size();
        const size_t len = std::min<size_t>(dot - start, 63);
        q.push_back(uint8_t(len));
        q.insert(q.end(), name.begin() + start, name.begin() + start + len);
        start = dot + 1;
    }
    q.insert(q.end(), {0, uint8_t(qtype >> 8), uint8_t(qtype), 0, 1});
    return q;
}

std::string dns_type_name(uint16_t type) {
    switch (type) {
    case 1: return "A";
    case 2: return "NS";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 12: return "PTR";
    case 13: return "HINFO";
    case 15: return "MX";
    case 16: return "TXT";
    case 28: return "AAAA";
    case 33: return "SRV";
    case 35: return "NAPTR";
    case 41: return "OPT";
    case 43: return "DS";
    case 46: return "RRSIG";
    case 47: return "NSEC";
    case 48: return "DNSKEY";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 99: return "SPF";
    case 252: return "AXFR";
    case 255: return "ANY";
    case 257: return "CAA";
    }
    return "TYPE" + std::to_string(type);
}

std::string dns_rcode_name(uint8_t rcode) {
    static constexpr const char* kNames[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
                                             "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"};
    if (rcode < std::size(kNames))
        return kNames[rcode];
    return "RCODE" + std::to_string(rcode);
}

std::string dns_name_key(std::string_view name) {
    if (name.size() > 1 && name.back() == '.')
        name.remove_suffix(1);
    std::string key(name);
    for (char& c : key)
        if (c >= 'A' && c <= 'Z')
            c = char(c - 'A' + 'a');
    return key;
}

}  // namespace kscope
