// Pure decoders: raw ABI bytes from a ring buffer -> domain events. No kernel needed,
// so tests feed them synthetic structs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "events/event.h"
#include "kscope/abi/common.h"
#include "util/result.h"

namespace kscope {

struct DecodeContext {
    int64_t boot_to_epoch_ns = 0;  // add to CLOCK_BOOTTIME to get Unix-epoch ns
    size_t max_args = 64;          // exec: arguments kept before marking truncation
};

using RawEvent = std::span<const std::byte>;

// Checks size and type, then fills the common fields from the header.
Result<CommonFields> decode_header(RawEvent raw, uint16_t expected_type, size_t min_size,
                                   const DecodeContext& ctx);

Result<ExecEvent> decode_exec(RawEvent raw, const DecodeContext& ctx);
Result<ExitEvent> decode_exit(RawEvent raw, const DecodeContext& ctx);
Result<OpenEvent> decode_open(RawEvent raw, const DecodeContext& ctx);
Result<TcpEvent> decode_tcp(RawEvent raw, const DecodeContext& ctx);
// The reason is left as a number (reason_code); the probe names it from kernel BTF.
Result<DropEvent> decode_drop(RawEvent raw, const DecodeContext& ctx);
// Fails (and the pipeline counts it as malformed) when the message's question cannot be read.
Result<DnsEvent> decode_dns(RawEvent raw, const DecodeContext& ctx);
// page_size: bytes per page, to turn the kernel's page counts into bytes.
Result<OomEvent> decode_oom(RawEvent raw, const DecodeContext& ctx, uint64_t page_size);

// Offset between CLOCK_BOOTTIME and CLOCK_REALTIME now.
int64_t boot_to_epoch_offset_ns();

}  // namespace kscope
