// kscope filechange: chmod/chown/unlink/rename/link/symlink and memfd_create as events.
#include "cli/commands.h"
#include "cli/trace_tool.h"

namespace kscope {

void register_filechange_command(CLI::App& app, int& exit_code) {
    add_trace_command(app, "filechange",
                      "trace chmod, chown, unlink, rename, link, symlink (every variant) and memfd_create, with "
                      "paths resolved in the kernel",
                      "only failed calls", exit_code);
}

}  // namespace kscope
