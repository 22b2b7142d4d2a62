// One event stream to several sinks (store, exporters), in order.
#pragma once

#include <vector>

#include "sinks/sink.h"

namespace kscope {

class FanoutSink final : public Sink {
public:
    void add(Sink& sink) { sinks_.push_back(&sink); }
    void write(const Event& e) override {
        for (Sink* s : sinks_)
            s->write(e);
    }
    bool flush() override {
        bool ok = true;
        for (Sink* s : sinks_)
            ok = s->flush() && ok;
        return ok;
    }
    void finish() override {
        for (Sink* s : sinks_)
            s->finish();
    }

private:
    std::vector<Sink*> sinks_;
};

}  // namespace kscope
