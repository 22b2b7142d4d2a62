#include "cli/commands.h"
#include "cli/trace_tool.h"

namespace kscope {

void register_open_command(CLI::App& app, int& exit_code) {
    add_trace_command(app, "open", "trace open/openat/openat2/creat, successful and failed (like opensnoop)",
                      "only failed opens", exit_code);
}

}  // namespace kscope
