// One event stream to several sinks (store, exporters, live stream), in order; the JSON
// those that take JSON need is made once per event.
#pragma once

#include <string>
#include <vector>

#include "sinks/json_sink.h"

namespace kscope {

class FanoutSink final : public Sink {
public:
    void add(Sink& sink) {
        if (auto* j = dynamic_cast<JsonSink*>(&sink))
            json_sinks_.push_back(j);
        else
            sinks_.push_back(&sink);
    }
    void write(const Event& e) override {
        for (Sink* s : sinks_)
            s->write(e);
        json_.clear();
        for (JsonSink* s : json_sinks_) {
            if (!s->wants_events())
                continue;
            if (json_.empty())
                append_event_json(json_, e);
            s->write_json(e, json_);
        }
    }
    bool flush() override {
        bool ok = true;
        for (Sink* s : all())
            ok = s->flush() && ok;
        return ok;
    }
    void finish() override {
        for (Sink* s : all())
            s->finish();
    }

private:
    std::vector<Sink*> all() const {
        std::vector<Sink*> out(sinks_);
        out.insert(out.end(), json_sinks_.begin(), json_sinks_.end());
        return out;
    }
    std::vector<Sink*> sinks_;
    std::vector<JsonSink*> json_sinks_;
    std::string json_;  // reused buffer
};

}  // namespace kscope
