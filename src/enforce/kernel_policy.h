// Rules with `action: kill` or `action: deny` compiled into the kernel's maps where their
// conditions can be decided at a hook (abi/enforce.h): the condition in disjunctive form,
// each `and` one slot on one hook, tested on the path, the caller's name, the port, the
// address and the syscall. Anything else (another field, a range, a regex...) leaves the
// whole rule to user space, with the reason. Pure: no kernel here.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "events/event.h"
#include "kscope/abi/enforce.h"
#include "rules/ruleset.h"

namespace kscope::enforce {

// What one slot tests; empty positive lists mean "not tested" unless said otherwise.
struct SlotTests {
    std::vector<std::string> paths, prefixes, not_paths;  // exec: the program; open: the file
    std::vector<std::string> comms, not_comms;            // the caller's name
    std::vector<uint16_t> ports;
    std::vector<std::array<uint8_t, 16>> addrs;           // IPv6 or v4-mapped
    std::vector<uint32_t> syscalls;                       // numbers; empty: any of the hook's
    bool after_only = false;                              // tests the call's success
};

struct KernelSlot {
    size_t rule = 0;  // index in the rules given
    kscope_enforce_hook hook = KSCOPE_HOOK_EXEC;
    rules::Action action = rules::Action::Kill;
    SlotTests tests;
};

struct RuleVerdict {
    size_t rule = 0;
    bool in_kernel = false;
    std::string reason;         // why not (user space then acts)
    std::vector<size_t> slots;  // in KernelPolicy::slots
};

struct KernelPolicy {
    std::vector<KernelSlot> slots;     // at most KSCOPE_ENFORCE_SLOTS
    std::vector<RuleVerdict> verdicts; // one per rule with an action, in order
};

// Every rule whose action is kill or deny, in the kernel where it can be.
KernelPolicy compile_kernel_policy(const std::vector<rules::Rule>& rules);

// Whether the kernel could not decide its rules for this event (a path longer than its
// keys hold): user space then evaluates them and acts.
bool kernel_undecided(const Event& event);

std::string_view hook_name(kscope_enforce_hook hook);  // "exec", "open_write", "connect"...
// One slot's map entries, readable: "exec: path_match[/tmp/x] comm_unmatch[sshd] after_only".
std::string describe_slot(const KernelSlot& slot);

}  // namespace kscope::enforce
