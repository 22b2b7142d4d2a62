// kscope: one binary, one subcommand per tool.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <string_view>

#include "cli/commands.h"

namespace {

// "exec, exit, open, ..." in registration order.
std::string subcommand_list(const CLI::App& app) {
    std::string names;
    for (const CLI::App* sub : app.get_subcommands({}))
        names += (names.empty() ? "" : ", ") + sub->get_name();
    return names;
}

}  // namespace

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
    kscope::register_profile_command(app, exit_code);
    kscope::register_offcpu_command(app, exit_code);
    kscope::register_runqlat_command(app, exit_code);
    kscope::register_biolat_command(app, exit_code);
    kscope::register_biotop_command(app, exit_code);
    kscope::register_oom_command(app, exit_code);
    kscope::register_faults_command(app, exit_code);
    kscope::register_privilege_command(app, exit_code);
    kscope::register_namespaces_command(app, exit_code);
    kscope::register_filechange_command(app, exit_code);
    kscope::register_socket_command(app, exit_code);
    kscope::register_agent_command(app, exit_code);
    kscope::register_query_command(app, exit_code);
    kscope::register_alerts_command(app, exit_code);
    kscope::register_rules_command(app, exit_code);
    kscope::register_baseline_command(app, exit_code);
    kscope::register_top_command(app, exit_code);
    kscope::register_retrans_command(app, exit_code);
    kscope::register_doctor_command(app, exit_code);
    // CLI11 would call an unknown first word a missing subcommand; name it instead.
    if (argc > 1 && argv[1][0] != '-') {
        bool known = false;
        for (const CLI::App* sub : app.get_subcommands({}))
            known = known || sub->check_name(argv[1]);
        if (!known) {
            fmt::print(stderr, "kscope: unknown subcommand '{}'\nsubcommands: {}\n", argv[1], subcommand_list(app));
            return 2;
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success))
            return app.exit(e);  // --help, --version
        fmt::print(stderr, "kscope: {}\nRun with --help for more information.\n", e.what());
        if (std::string_view(e.what()) == "A subcommand is required")
            fmt::print(stderr, "subcommands: {}\n", subcommand_list(app));
        return 2;
    }
    return exit_code;
}
