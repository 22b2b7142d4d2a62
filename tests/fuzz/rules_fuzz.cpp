// Rules files (Falco's format: rules, macros, lists, conditions, output templates): any
// bytes load or give an error, never a crash; what loads also evaluates against an event.
#include <cstddef>
#include <cstdint>
#include <string>

#include "rules/engine.h"
#include "rules/ruleset.h"

namespace {

// A process table with nothing in it: fields that need a process read as missing.
struct NoProcesses final : kscope::rules::ProcessContext {
    const kscope::ProcessInfo* process(uint32_t) override { return nullptr; }
    const kscope::UserEntry* user(uint32_t) override { return nullptr; }
    const std::string* group(uint32_t) override { return nullptr; }
    const std::string& hostname() override { return host; }
    const kscope::ContainerMeta* container(const std::string&) override { return nullptr; }
    std::string host = "fuzz";
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<kscope::rules::RulesSource> sources = {{"fuzz.yaml", std::string(reinterpret_cast<const char*>(data), size)}};
    auto set = kscope::rules::load_rules(sources);
    if (!set)
        return 0;
    kscope::rules::RuleEngine engine(std::move(*set), {1000, 1000});
    kscope::ExecEvent e;
    e.common.pid = 42;
    e.common.comm = "sh";
    e.filename = "/bin/sh";
    e.argv = {"sh", "-c", "id"};
    NoProcesses context;
    std::vector<kscope::Event> alerts;
    engine.evaluate(kscope::Event(e), context, alerts);
    return 0;
}
