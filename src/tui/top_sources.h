// Where kscope top's numbers come from: /proc (CPU time, storage I/O, names), its own
// syscalls and tcptop probes (calls, errors, TCP bytes per process, counted in the
// kernel), every loaded BPF program's statistics, and, with --agent, a running agent's
// recent alerts over its HTTP API.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "probes/syscalls_probe.h"
#include "probes/tcptop_probe.h"
#include "tui/top_model.h"
#include "util/result.h"

namespace kscope::top {

class ProcessSampler {
public:
    // Loads and attaches the probes; one that cannot load leaves its columns at 0 and says
    // why in unavailable().
    void start();
    ProcessSnapshot sample();
    const std::vector<std::string>& unavailable() const { return unavailable_; }

private:
    SyscallsProbe syscalls_{/*by_process=*/true};
    TcptopProbe tcptop_;
    bool have_syscalls_ = false, have_tcptop_ = false;
    std::vector<std::string> unavailable_;
};

// The totals of every process under /proc (comm, CPU ticks, storage I/O).
ProcessSnapshot read_proc_totals(const std::string& proc_root = "/proc");

struct AlertRow {
    uint64_t ts_ns = 0;
    std::string priority, rule, comm, action, output, source;
    uint32_t pid = 0;
};

// A running agent's newest alerts (GET <url>/api/v1/alerts), newest first.
class AgentAlerts {
public:
    AgentAlerts(std::string url, std::string token) : url_(std::move(url)), token_(std::move(token)) {}
    Result<std::vector<AlertRow>> fetch(size_t limit = 200) const;
    const std::string& url() const { return url_; }

private:
    std::string url_, token_;
};

}  // namespace kscope::top
