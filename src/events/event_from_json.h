// One JSON event line (as append_event_json writes it: `kscope <tool> --json`, the agent's
// /api/v1/events) back into the Event, for replaying recorded events (`kscope rules test
// FILE --events EVENTS.jsonl`). Rendering the result gives the same line again.
//
// Missing fields keep the struct's defaults; fields the writer derives ("error",
// "signal_name", bpf's fixed "syscall"...) and unknown keys are ignored. Errors: malformed
// JSON (the parser's message), no "type" or an unknown one ("unknown event type 'x'"), a
// value of the wrong JSON type or out of range, and a word outside the field's fixed set
// ("field 'syscall': unknown value 'foo'"); the words kept in `const char*` fields point at
// static literals, never into json_line.
#pragma once

#include <string_view>

#include "events/event.h"
#include "util/result.h"

namespace kscope {

Result<Event> event_from_json(std::string_view json_line);

}  // namespace kscope
