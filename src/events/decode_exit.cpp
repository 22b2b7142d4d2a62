#include <cstring>

#include "events/decode.h"
#include "kscope/abi/exit.h"

namespace kscope {

Result<ExitEvent> decode_exit(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_EXIT, sizeof(kscope_exit_event), ctx);
    if (!common)
        return common.error().context("exit event");
    kscope_exit_event e;
    std::memcpy(&e, raw.data(), sizeof(e));

    ExitEvent out;
    out.common = std::move(common.value());
    // Same encoding as a wait(2) status.
    out.signal = e.exit_code & 0x7f;
    out.core_dumped = e.exit_code & 0x80;
    out.exit_code = out.signal ? 0 : (e.exit_code >> 8) & 0xff;
    out.duration_ns = e.duration_ns;
    return out;
}

}  // namespace kscope
