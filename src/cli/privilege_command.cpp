// kscope privilege: credential changes, ptrace, module loads, bpf(), perf_event_open by
// non-root and userfaultfd, one event per call.
#include "cli/commands.h"
#include "cli/trace_tool.h"

namespace kscope {

void register_privilege_command(CLI::App& app, int& exit_code) {
    add_trace_command(app, "privilege",
                      "credential changes (setuid..., setgroups, capset) with the ids and capabilities before and "
                      "after, ptrace and process_vm_writev, module loads, bpf() program loads and map creations, "
                      "perf_event_open by non-root, userfaultfd",
                      "only failed calls (setfsuid/setfsgid: the id did not change as asked)", exit_code);
}

}  // namespace kscope
