// --summary for retrans: counts per flow and kind, printed when the run ends (like
// tcpretrans -c), as a table or one JSON object per row.
#pragma once

#include <map>
#include <string>
#include <tuple>

#include "sinks/fd_writer.h"
#include "sinks/sink.h"

namespace kscope {

class FlowSummarySink final : public Sink {
public:
    FlowSummarySink(int fd, bool json) : out_(fd), json_(json) {}
    void write(const Event& event) override;
    bool flush() override { return out_.flush(); }
    void finish() override;

private:
    struct Flow {
        std::string family, saddr, daddr;
        uint16_t sport = 0, dport = 0;
        auto operator<=>(const Flow&) const = default;
    };
    struct Counts {
        uint32_t pid = 0;
        std::string comm;
        uint64_t retransmits = 0, resets_sent = 0, resets_received = 0;
    };
    FdWriter out_;
    bool json_;
    std::map<Flow, Counts> flows_;
};

}  // namespace kscope
