#include "pipeline/rules_stage.h"

#include <signal.h>
#include <unistd.h>

#include <optional>

#include "util/proc_stat.h"
#include "util/read_file.h"

namespace kscope {

RulesStage::RulesStage(std::shared_ptr<rules::RuleEngine> engine, ProcessCache& cache,
                       std::vector<RuntimeSocket> runtime_sockets)
    : engine_(std::move(engine)), cache_(cache), containers_(std::move(runtime_sockets)) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    hostname_ = host;
}

namespace {

// From /proc/PID/stat: the flags (PF_KTHREAD marks kernel threads) and the start time
// (clock ticks since boot); nullopt when the process is gone.
struct TaskState {
    unsigned long flags = 0;
    unsigned long long start_ticks = 0;
};

std::optional<TaskState> task_state(uint32_t pid) {
    const auto stat = parse_proc_stat(read_file("/proc/" + std::to_string(pid) + "/stat").value_or(""));
    if (!stat)
        return std::nullopt;
    return TaskState{static_cast<unsigned long>(stat->number(9)), stat->number(22)};
}

}  // namespace

std::vector<AncestorProcess> RulesStage::ancestry(uint32_t pid) {
    std::vector<AncestorProcess> out;
    while (pid != 0 && out.size() < kMaxAncestry) {
        const ProcessInfo* p = process(pid);
        if (!p)
            break;
        AncestorProcess a{p->pid, p->comm, p->exe, {}};
        for (const auto& arg : p->argv) {
            if (a.cmdline.size() + arg.size() + 1 > AncestorProcess::kMaxCmdline)
                break;
            a.cmdline += (a.cmdline.empty() ? "" : " ") + arg;
        }
        out.push_back(std::move(a));
        if (p->ppid == pid)
            break;
        pid = p->ppid;
    }
    return out;
}

bool RulesStage::inspect(Event& event, std::vector<Event>& alerts) {
    if (auto* a = std::get_if<AlertEvent>(&event); a && a->in_kernel) {
        if (!engine_->complete_kernel_alert(*a, *this))
            return false;
        a->ancestry = ancestry(a->common.pid);
        return true;
    }
    const size_t before = alerts.size();
    engine_->evaluate(event, *this, alerts);
    for (size_t i = before; i < alerts.size(); i++) {
        auto& a = std::get<AlertEvent>(alerts[i]);
        a.ancestry = ancestry(a.common.pid);
        if (a.action != "kill" && a.action != "deny") continue;
        // From user space the call has happened: the process is killed as the event
        // arrives (deny too). Never pid 1, kscope itself or a kernel thread.
        const uint32_t pid = a.common.pid;
        constexpr unsigned long kPfKthread = 0x00200000;
        auto st = pid > 1 && pid != static_cast<uint32_t>(getpid()) ? task_state(pid) : std::nullopt;
        if (!st || (st->flags & kPfKthread)) {
            a.action = "exempt";  // pid 1, kscope, a kernel thread, or already gone: never acted on
            continue;
        }
        // The pid may have been reused since the event: the process the table knows must
        // be the one that runs under it now.
        if (const ProcessInfo* p = cache_.find(pid); p && p->start_boot_ns) {
            const double tick_ns = 1e9 / double(sysconf(_SC_CLK_TCK));
            const double known = double(p->start_boot_ns) / tick_ns;
            if (known - double(st->start_ticks) > 1.5 || double(st->start_ticks) - known > 1.5) {
                a.action = "exempt";
                continue;
            }
        }
        ::kill(static_cast<pid_t>(pid), SIGKILL);
    }
    return true;
}

const ProcessInfo* RulesStage::process(uint32_t pid) {
    if (const ProcessInfo* p = cache_.find(pid)) return p;
    const auto now = std::chrono::steady_clock::now();
    if (auto it = missing_.find(pid); it != missing_.end() && now - it->second < std::chrono::seconds(1))
        return nullptr;
    auto info = read_proc_process("/proc", pid);
    if (!info) {
        if (missing_.size() > 4096) missing_.clear();
        missing_[pid] = now;
        return nullptr;
    }
    cache_.upsert(std::move(*info));
    return cache_.find(pid);
}

}  // namespace kscope
