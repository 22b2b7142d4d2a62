// A sink that consumes events in their JSON form (store, exporters, live stream). The
// JSON is made once per event for all of them by FanoutSink, not once per sink.
#pragma once

#include <string>

#include "sinks/event_json.h"
#include "sinks/sink.h"

namespace kscope {

class JsonSink : public Sink {
public:
    // Alone (not behind a FanoutSink), a JsonSink renders the event itself.
    void write(const Event& event) final {
        if (!wants_events())
            return;
        std::string json;
        append_event_json(json, event);
        write_json(event, json);
    }
    // json is append_event_json(event).
    virtual void write_json(const Event& event, const std::string& json) = 0;
    // False while the sink has no use for events (no stream client, alerts only): then
    // no JSON is made for it.
    virtual bool wants_events() const { return true; }
};

}  // namespace kscope
