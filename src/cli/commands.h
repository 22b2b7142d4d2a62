// One function per subcommand; each registers itself on the app and writes the process
// exit code into `exit_code` when it runs.
#pragma once

#include <CLI/CLI.hpp>

namespace kscope {

void register_exec_command(CLI::App& app, int& exit_code);
void register_exit_command(CLI::App& app, int& exit_code);
void register_open_command(CLI::App& app, int& exit_code);
void register_syscalls_command(CLI::App& app, int& exit_code);
void register_filetop_command(CLI::App& app, int& exit_code);
void register_tcp_command(CLI::App& app, int& exit_code);
void register_drops_command(CLI::App& app, int& exit_code);
void register_tcptop_command(CLI::App& app, int& exit_code);
void register_dns_command(CLI::App& app, int& exit_code);
void register_runqlat_command(CLI::App& app, int& exit_code);
void register_biolat_command(CLI::App& app, int& exit_code);
void register_biotop_command(CLI::App& app, int& exit_code);
void register_oom_command(CLI::App& app, int& exit_code);
void register_faults_command(CLI::App& app, int& exit_code);
void register_privilege_command(CLI::App& app, int& exit_code);
void register_namespaces_command(CLI::App& app, int& exit_code);
void register_filechange_command(CLI::App& app, int& exit_code);
void register_socket_command(CLI::App& app, int& exit_code);
void register_agent_command(CLI::App& app, int& exit_code);
void register_query_command(CLI::App& app, int& exit_code);
void register_alerts_command(CLI::App& app, int& exit_code);
void register_rules_command(CLI::App& app, int& exit_code);
void register_baseline_command(CLI::App& app, int& exit_code);
void register_top_command(CLI::App& app, int& exit_code);
void register_retrans_command(CLI::App& app, int& exit_code);
void register_doctor_command(CLI::App& app, int& exit_code);
void register_profile_command(CLI::App& app, int& exit_code);
void register_offcpu_command(CLI::App& app, int& exit_code);

}  // namespace kscope
