#include "sinks/json_lines_sink.h"

#include "sinks/event_json.h"

namespace kscope {

void JsonLinesSink::write(const Event& event) {
    append_event_json(out_.buffer(), event);
    out_.buffer() += '\n';
    out_.maybe_flush();
}

}  // namespace kscope
