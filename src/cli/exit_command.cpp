#include "cli/commands.h"
#include "cli/trace_tool.h"

namespace kscope {

void register_exit_command(CLI::App& app, int& exit_code) {
    add_trace_command(app, "exit", "trace process exits: code, signal, lifetime (like exitsnoop)",
                      "only non-zero exits and processes killed by a signal", exit_code);
}

}  // namespace kscope
