// kscope oom: every OOM kill as an event (like BCC's oomkill).
#include "cli/commands.h"
#include "cli/trace_tool.h"

namespace kscope {

void register_oom_command(CLI::App& app, int& exit_code) {
    add_trace_command(app, "oom",
                      "every OOM kill: victim, the task that ran out of memory, memory cgroup, constraint, RSS (like oomkill)",
                      "", exit_code);
}

}  // namespace kscope
