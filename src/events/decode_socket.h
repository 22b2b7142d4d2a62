// Decoder of the socket probe's events, and the names it gives families and types.
#pragma once

#include <cstdint>
#include <string>

#include "events/decode.h"

namespace kscope {

// ipv4, ipv6, unix, packet, netlink, or the number.
std::string socket_family_name(uint16_t family);
// stream, dgram, raw, seqpacket, or the number.
std::string socket_type_name(uint16_t type);
Result<SocketEvent> decode_socket(RawEvent raw, const DecodeContext& ctx);

}  // namespace kscope
