// Decoders of the filechange probe's two events (file_change, memfd_create).
#pragma once

#include <cstdint>

#include "events/decode.h"

namespace kscope {

// "chmod" for KSCOPE_FC_CHMOD ...; "unknown" out of range.
const char* filechange_syscall_name(uint16_t syscall);
Result<FileChangeEvent> decode_file_change(RawEvent raw, const DecodeContext& ctx);
Result<MemfdCreateEvent> decode_memfd_create(RawEvent raw, const DecodeContext& ctx);

}  // namespace kscope
