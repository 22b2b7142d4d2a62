#include "pipeline/rules_stage.h"

#include <unistd.h>

namespace kscope {

RulesStage::RulesStage(std::shared_ptr<rules::RuleEngine> engine, ProcessCache& cache)
    : engine_(std::move(engine)), cache_(cache) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    hostname_ = host;
}

const ProcessInfo* RulesStage::process(uint32_t pid) {
    if (const ProcessInfo* p = cache_.find(pid)) return p;
    auto info = read_proc_process("/proc", pid);
    if (!info) return nullptr;
    cache_.upsert(std::move(*info));
    return cache_.find(pid);
}

}  // namespace kscope
