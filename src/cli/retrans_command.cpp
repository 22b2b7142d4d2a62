#include "cli/commands.h"
#include "cli/trace_tool.h"

namespace kscope {

void register_retrans_command(CLI::App& app, int& exit_code) {
    add_trace_command(app, "retrans", "TCP retransmits and resets sent/received, with flow, state and owner",
                      exit_code);
}

}  // namespace kscope
