// The rules engine's place in the pipeline: on the reader thread, after enrichment, with
// the process table as its context (ancestry, users, groups). A process the table does
// not know yet (forked without exec before kscope started watching) is read from /proc.
#pragma once

#include <chrono>
#include <memory>
#include <unordered_map>
#include <string>
#include <vector>

#include "pipeline/container_runtime.h"
#include "pipeline/process_cache.h"
#include "pipeline/user_db.h"
#include "rules/engine.h"

namespace kscope {

class RulesStage final : public rules::ProcessContext {
public:
    RulesStage(std::shared_ptr<rules::RuleEngine> engine, ProcessCache& cache,
               std::vector<RuntimeSocket> runtime_sockets = default_runtime_sockets());

    // Alerts for `event`, appended to `alerts`; the processes of kill and deny rules acted
    // on from user space are killed here. An alert the kernel raised is completed (its
    // output); false when the rate limit holds it back (then it goes no further).
    bool inspect(Event& event, std::vector<Event>& alerts);

    const ProcessInfo* process(uint32_t pid) override;
    const UserEntry* user(uint32_t uid) override { return users_.user(uid); }
    const std::string* group(uint32_t gid) override { return users_.group(gid); }
    const std::string& hostname() override { return hostname_; }
    const ContainerMeta* container(const std::string& id) override { return containers_.find(id); }

    // The process and up to kMaxAncestry - 1 parents, nearest first.
    static constexpr size_t kMaxAncestry = 8;
    std::vector<AncestorProcess> ancestry(uint32_t pid);

private:
    std::shared_ptr<rules::RuleEngine> engine_;
    ProcessCache& cache_;
    UserDb users_;
    std::string hostname_;
    ContainerMetaCache containers_;
    // Pids /proc did not have, for a second: events of a gone process do not re-read /proc.
    std::unordered_map<uint32_t, std::chrono::steady_clock::time_point> missing_;
};

}  // namespace kscope
