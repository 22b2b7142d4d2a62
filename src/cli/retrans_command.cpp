#include "cli/commands.h"
#include "cli/trace_tool.h"

namespace kscope {

void register_retrans_command(CLI::App& app, int& exit_code) {
    auto summary = std::make_shared<bool>(false);
    CLI::App* cmd = add_trace_command(app, "retrans",
                                      "TCP retransmits and resets sent/received, with flow, state and owner", "", exit_code,
                                      {}, summary);
    cmd->add_flag("--summary", *summary, "count per flow and print the counts when tracing ends");
}

}  // namespace kscope
