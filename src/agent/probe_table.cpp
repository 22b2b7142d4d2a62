// /api/v1/probes: what `kscope doctor` says per probe, for the running agent and live:
// each probe's hooks, whether it runs (or why not), its events, losses and kernel cost.
// Counters are totals; the dashboard turns them into rates.
#include <map>

#include "agent/agent.h"
#include "sinks/json_writer.h"

namespace kscope {
namespace {

void write_programs(JsonWriter& w, const std::vector<BpfObject::ProgramStats>& programs) {
    uint64_t runs = 0, ns = 0;
    w.begin_array("programs");
    for (const auto& p : programs) {
        w.begin_object().field("program", p.program).field("runs", p.runs).field("run_time_ns", p.run_time_ns);
        w.end_object();
        runs += p.runs;
        ns += p.run_time_ns;
    }
    w.end_array();
    w.field("runs", runs).field("run_time_ns", ns);
}

}  // namespace

std::string Agent::probes_json() {
    std::lock_guard lock(state_mu_);
    std::string out;
    JsonWriter w(out);
    w.begin_array();
    if (session_) {
        std::map<std::string, ProbeStats> stats;
        for (auto& s : probe_stats())
            stats[s.probe] = s;
        for (const auto& p : session_->probes()) {
            const std::string name(p->name());
            const ProbeStats& s = stats[name];
            w.begin_object().field("probe", name).field("description", p->description());
            w.field("status", governor_stopped_.count(name) ? "stopped by the governor" : "running");
            w.begin_array("hooks");
            for (const auto& [probe, h] : session_->hooks())
                if (probe == name) {
                    w.begin_object().field("program", h.program).field("hook", h.hook).field("attached", h.attached);
                    if (!h.attached)
                        w.field("error", h.error);
                    w.end_object();
                }
            w.end_array();
            w.field("events", s.events).field("sampled_out", p->kernel_drops(KSCOPE_SAMPLED_OUT));
            w.begin_object("dropped")
                .field("ring_buffer", s.kernel_drops)
                .field("kernel_skipped", s.kernel_misses)
                .field("queue", s.queue_drops)
                .field("malformed", s.decode_errors)
                .end_object();
            write_programs(w, p->program_stats());
            w.end_object();
        }
        for (const auto& [name, why] : session_->unavailable())
            w.begin_object().field("probe", name).field("status", "unavailable").field("reason", why).end_object();
    }
    if (profiler_ && profiler_->probe()) {
        w.begin_object().field("probe", "profile").field("description", "CPU stacks sampled on every CPU");
        w.field("status", "running");
        write_programs(w, profiler_->probe()->program_stats());
        w.end_object();
    } else if (profiler_failed_) {
        w.begin_object().field("probe", "profile").field("status", "unavailable");
        w.field("reason", "the profiler could not start (see the agent's log)").end_object();
    }
    w.end_array();
    return out + "\n";
}

}  // namespace kscope
