// kscope: one binary, one subcommand per tool.
#include <CLI/CLI.hpp>

#include "cli/commands.h"

int main(int argc, char** argv) {
    CLI::App app{"kscope: eBPF monitoring for Linux", "kscope"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "kscope 0.1.0");
    int exit_code = 0;
    kscope::register_exec_command(app, exit_code);
    kscope::register_exit_command(app, exit_code);
    kscope::register_open_command(app, exit_code);
    kscope::register_syscalls_command(app, exit_code);
    kscope::register_filetop_command(app, exit_code);
    kscope::register_tcp_command(app, exit_code);
    kscope::register_drops_command(app, exit_code);
    kscope::register_tcptop_command(app, exit_code);
    kscope::register_dns_command(app, exit_code);
    kscope::register_agent_command(app, exit_code);
    kscope::register_query_command(app, exit_code);
    kscope::register_retrans_command(app, exit_code);
    kscope::register_doctor_command(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return exit_code;
}
