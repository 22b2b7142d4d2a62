// --json: one object per line.
#pragma once

#include "sinks/fd_writer.h"
#include "sinks/sink.h"

namespace kscope {

class JsonLinesSink final : public Sink {
public:
    explicit JsonLinesSink(int fd) : out_(fd) {}
    void write(const Event& event) override;
    bool flush() override { return out_.flush(); }

private:
    FdWriter out_;
};

}  // namespace kscope
