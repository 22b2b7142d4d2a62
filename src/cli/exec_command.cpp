#include "cli/commands.h"
#include "cli/trace_tool.h"

namespace kscope {

void register_exec_command(CLI::App& app, int& exit_code) {
    auto max_args = std::make_shared<size_t>(64);
    CLI::App* cmd = add_trace_command(
        app, "exec", "trace every execve/execveat, successful and failed (like execsnoop)", "only failed execs", exit_code,
        [max_args](SessionOptions& options) { options.decode.max_args = *max_args; });
    cmd->add_option("--max-args", *max_args, "arguments shown before marking truncation")->check(CLI::Range(1, 4096));
}

}  // namespace kscope
