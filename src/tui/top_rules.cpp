#include "tui/top_rules.h"

#include <fmt/format.h>

#include "events/decode.h"
#include "probes/registry.h"
#include "sinks/sink.h"

namespace kscope::top {

namespace {
constexpr size_t kKept = 500;
}

// The session's sink: keeps the newest alerts, drops every other event.
class LocalAlerts::Collector final : public Sink {
public:
    void write(const Event& event) override {
        if (const auto* a = std::get_if<AlertEvent>(&event)) {
            std::lock_guard lock(mu_);
            alerts_.push_front(alert_row(*a));
            if (alerts_.size() > kKept)
                alerts_.pop_back();
        }
    }
    bool flush() override { return true; }
    std::vector<AlertRow> newest(size_t limit) const {
        std::lock_guard lock(mu_);
        return {alerts_.begin(), alerts_.begin() + std::min(limit, alerts_.size())};
    }

private:
    mutable std::mutex mu_;
    std::deque<AlertRow> alerts_;
};

AlertRow alert_row(const AlertEvent& a) {
    return AlertRow{a.common.ts_ns, a.priority, a.rule, a.common.comm, a.action, a.output, a.source, a.common.pid};
}

Result<std::unique_ptr<LocalAlerts>> LocalAlerts::start(std::shared_ptr<rules::RuleEngine> engine) {
    std::set<std::string> types;
    bool any = false;  // a rule that names no event type may match any event
    for (const auto& r : engine->rules()) {
        any = any || r.event_types.empty();
        types.insert(r.event_types.begin(), r.event_types.end());
    }
    auto names = probes_for_event_types(types);
    if (any)
        names = probes_for_event_types({"execve", "procexit", "openat", "connect", "socket", "ptrace", "setns",
                                        "chmod", "dns_query", "drop", "oom_kill"});
    names.insert("exec");  // the process table the rules read (ancestry, cmdlines)
    std::vector<std::unique_ptr<Probe>> probes;
    for (const auto& n : names)
        if (auto p = make_probe(n))
            probes.push_back(std::move(p));
    // Audit: top shows what would be done, and does nothing.
    engine->set_enforcement(/*audit=*/true, std::vector<bool>(engine->rules().size(), false));

    std::unique_ptr<LocalAlerts> self(new LocalAlerts());
    self->rules_ = engine->rules().size();
    SessionOptions options;
    options.decode.boot_to_epoch_ns = boot_to_epoch_offset_ns();
    options.rules = std::move(engine);
    options.redactor = Redactor::make({}).value();  // alert outputs quote command lines
    options.skip_unavailable = true;
    self->session_ = std::make_unique<TraceSession>(std::move(probes), std::move(options));
    if (auto r = self->session_->start(); !r)
        return r.error().context("rules");
    for (const auto& p : self->session_->probes())
        self->probes_.emplace_back(p->name());
    if (self->probes_.empty())
        return Error{"rules: none of the probes they need can run here"};
    for (const auto& [name, why] : self->session_->unavailable())
        self->note_ += (self->note_.empty() ? "" : "; ") + fmt::format("probe {} left out: {}", name, why);
    self->collector_ = std::make_unique<Collector>();
    LocalAlerts* raw = self.get();
    self->thread_ = std::thread([raw] { raw->session_->run(*raw->collector_, raw->stop_); });
    return self;
}

LocalAlerts::~LocalAlerts() {
    stop_ = true;
    if (thread_.joinable())
        thread_.join();
}

std::vector<AlertRow> LocalAlerts::newest(size_t limit) const { return collector_->newest(limit); }

}  // namespace kscope::top
