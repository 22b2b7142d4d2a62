#include "pipeline/rules_stage.h"

#include <unistd.h>

namespace kscope {

RulesStage::RulesStage(std::shared_ptr<rules::RuleEngine> engine, ProcessCache& cache,
                       std::vector<RuntimeSocket> runtime_sockets)
    : engine_(std::move(engine)), cache_(cache), containers_(std::move(runtime_sockets)) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    hostname_ = host;
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
