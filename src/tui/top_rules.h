// kscope top's own rules, without an agent (--rules): the probes the rules' event types
// need, one session on a thread of its own, the newest alerts kept for the third view.
// Audit only: kill and deny rules say would_kill / would_deny, top never acts.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/trace_session.h"
#include "rules/engine.h"
#include "tui/top_sources.h"
#include "util/result.h"

namespace kscope::top {

class LocalAlerts {
public:
    // Loads and attaches the probes (those this kernel lacks are left out and named in
    // note()); an error when none of them can run.
    static Result<std::unique_ptr<LocalAlerts>> start(std::shared_ptr<rules::RuleEngine> engine);
    ~LocalAlerts();

    // The newest alerts, newest first.
    std::vector<AlertRow> newest(size_t limit = 200) const;
    const std::vector<std::string>& probes() const { return probes_; }
    size_t rules() const { return rules_; }
    const std::string& note() const { return note_; }

private:
    class Collector;
    LocalAlerts() = default;

    std::unique_ptr<TraceSession> session_;
    std::unique_ptr<Collector> collector_;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::vector<std::string> probes_;
    size_t rules_ = 0;
    std::string note_;
};

// The row the third view shows for an alert.
AlertRow alert_row(const AlertEvent& a);

}  // namespace kscope::top
