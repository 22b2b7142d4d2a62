// kscope socket: socket(), bind() and listen() as events; new listeners show here.
#include "cli/commands.h"
#include "cli/trace_tool.h"

namespace kscope {

void register_socket_command(CLI::App& app, int& exit_code) {
    add_trace_command(app, "socket",
                      "trace socket(), bind() and listen(): family, type, local address and port, backlog",
                      "only failed calls", exit_code);
}

}  // namespace kscope
