// Events as JSON (kscope rules test --events, exporters' spool files, /api/v1/events'
// answers read back): any bytes give an event or an error; what parses writes back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "events/event_from_json.h"
#include "sinks/event_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto e = kscope::event_from_json(std::string_view(reinterpret_cast<const char*>(data), size));
    if (e) {
        std::string out;
        kscope::append_event_json(out, *e);
    }
    return 0;
}
