// DNS messages as the DNS probe copies them off the wire: names with compression loops,
// truncated records, bad counts.
#include <cstddef>
#include <cstdint>
#include <span>

#include "events/dns_message.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto m = kscope::parse_dns_message(std::span<const uint8_t>(data, size));
    if (m) {
        (void)kscope::dns_name_key(m->qname);
        (void)kscope::dns_type_name(m->qtype);
        (void)kscope::dns_rcode_name(m->rcode);
    }
    return 0;
}
