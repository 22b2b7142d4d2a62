// The enforcement programs (bpf/probes/enforce.bpf.c) and their maps: a compiled policy
// written as the next generation beside the active one, then switched to, then the old
// one removed, so a reload never leaves a gap; hooks attached as the policy first needs
// them, owned by this process (nothing pinned: they go when it goes, also after kill -9).
// Its events are the kernel's actions, decoded into alerts.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "enforce/kernel_policy.h"
#include "probes/probe.h"

namespace kscope::enforce {

// What an alert needs to know of a rule the kernel acts for.
struct RuleLabel {
    std::string name;
    std::string priority;
    std::vector<std::string> tags;
};

class EnforceProbe final : public Probe {
public:
    std::string_view name() const override { return "enforce"; }
    std::string_view description() const override {
        return "rules with action kill or deny, acted on in the kernel (exec, open for write, ptrace, module, bpf, "
               "set*id, namespaces, mounts: SIGKILL; connect, sendmsg, bind: EPERM)";
    }
    Result<Event> decode(RawEvent raw, const DecodeContext& ctx) const override;
    // Attaches nothing: apply() attaches what a policy needs.
    std::vector<HookStatus> attach() override { return hooks_; }

    // Makes `policy` the one the kernel acts on (rules: the list the policy was compiled
    // from, for the alerts' names; audit: report only). Hooks it needs are attached first.
    // On an error (which hook, which map) nothing acts in the kernel any more, the old
    // policy neither: the caller hands every rule to user space.
    Result<void> apply(const KernelPolicy& policy, const std::vector<rules::Rule>& rules, bool audit);
    // The hooks attached so far, and why others could not be.
    const std::vector<HookStatus>& hooks() const { return hooks_; }

protected:
    std::span<const uint8_t> elf() const override;
    Result<void> configure(BpfObject& obj) override;

private:
    Result<void> attach_hook(kscope_enforce_hook hook);
    Result<void> write_generation(uint32_t gen, const KernelPolicy& policy, uint32_t rule_base, bool audit);
    void clear_generation(uint32_t gen);
    // Nothing acts in the kernel any more (an apply failed: user space takes over).
    void disable();

    std::vector<HookStatus> hooks_;
    bool attached_[KSCOPE_HOOKS] = {};
    uint32_t gen_ = 0;           // the active generation
    bool applied_ = false;       // a policy was written (gen_ is in use)
    uint32_t next_rule_id_ = 0;  // rule ids stay unique across reloads
    mutable std::mutex labels_mu_;
    std::map<uint32_t, RuleLabel> labels_;          // the last two policies' rules
    std::map<uint32_t, RuleLabel> current_labels_;  // the last policy's

};

}  // namespace kscope::enforce
