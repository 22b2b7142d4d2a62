// Human output: an aligned table with a header, one layout per event type.
#pragma once

#include <string>
#include <string_view>

#include "events/event.h"
#include "sinks/fd_writer.h"
#include "sinks/sink.h"

namespace kscope {

struct TableOptions {
    bool timestamps = false;  // -T: a leading TIME column (local HH:MM:SS)
};

class TableSink final : public Sink {
public:
    // `type` picks the layout ("exec", "exit"); the header is written at once.
    TableSink(int fd, std::string_view type, TableOptions options);
    void write(const Event& event) override;
    bool flush() override { return out_.flush(); }

private:
    void row(const ExecEvent& e);
    void row(const ExitEvent& e);
    void row(const OpenEvent& e);
    void row(const TcpEvent& e);
    void row(const DropEvent& e);
    void row(const DnsEvent& e);
    void row(const OomEvent& e);
    // The security probes' events and alerts: one layout, the event's own fields as key=value.
    template <typename E>
    void row(const E& e) { details_row(Event(e)); }
    void details_row(const Event& e);
    void time_cell(uint64_t ts_ns);

    FdWriter out_;
    TableOptions options_;
};

// Shell-style quoting for display: plain words stay bare; others in single quotes.
std::string shell_quote(std::string_view arg);

}  // namespace kscope
