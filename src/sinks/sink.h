// Where decoded events go: console (table or JSON lines) now; store and exporters later.
#pragma once

#include "events/event.h"

namespace kscope {

class Sink {
public:
    virtual ~Sink() = default;
    virtual void write(const Event& event) = 0;
    // Pushes buffered output out; false when the destination is gone (closed pipe).
    virtual bool flush() = 0;
    // Called once when the run ends, before the last flush (summaries print here).
    virtual void finish() {}
};

}  // namespace kscope
