// kscope namespaces: namespace changes and mount-table changes, one event per call.
#include "cli/commands.h"
#include "cli/trace_tool.h"

namespace kscope {

void register_namespaces_command(CLI::App& app, int& exit_code) {
    add_trace_command(app, "namespaces",
                      "namespace changes (unshare, setns, clone/clone3 with CLONE_NEW* flags) and mount, umount2, "
                      "pivot_root, chroot",
                      "only failed calls", exit_code);
}

}  // namespace kscope
