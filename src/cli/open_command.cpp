#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/trace_tool.h"

namespace kscope {

void register_open_command(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<CommonFlags>();
    CLI::App* cmd = app.add_subcommand("open", "trace open/openat/openat2/creat, successful and failed (like opensnoop)");
    add_common_flags(*cmd, *flags);
    cmd->final_callback([flags, &exit_code] {
        auto options = session_options(*flags);
        if (!options) {
            fmt::print(stderr, "kscope open: {}\n", options.error().message);
            exit_code = 2;
            return;
        }
        exit_code = run_trace_tool("open", *flags, std::move(options.value()));
    });
}

}  // namespace kscope
