#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/trace_tool.h"

namespace kscope {

void register_exec_command(CLI::App& app, int& exit_code) {
    struct State {
        CommonFlags flags;
        size_t max_args = 64;
    };
    auto state = std::make_shared<State>();
    CLI::App* cmd = app.add_subcommand("exec", "trace every execve/execveat, successful and failed (like execsnoop)");
    add_common_flags(*cmd, state->flags);
    cmd->add_option("--max-args", state->max_args, "arguments shown before marking truncation")
        ->check(CLI::Range(1, 4096));
    cmd->final_callback([state, &exit_code] {
        auto options = session_options(state->flags);
        if (!options) {
            fmt::print(stderr, "kscope exec: {}\n", options.error().message);
            exit_code = 2;
            return;
        }
        options->decode.max_args = state->max_args;
        exit_code = run_trace_tool("exec", state->flags, std::move(options.value()));
    });
}

}  // namespace kscope
