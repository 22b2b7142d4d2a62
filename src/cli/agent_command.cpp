// kscope agent: the daemon (probes -> store, /metrics, /api/v1/events). Works without a
// config file; --listen and --data-dir override the file.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "agent/agent.h"
#include "agent/logging.h"
#include "bpf/features.h"
#include "cli/commands.h"
#include "cli/signals.h"
#include "rules/engine.h"

namespace kscope {

void register_agent_command(CLI::App& app, int& exit_code) {
    struct Flags {
        std::string config, listen, data_dir, log_level, log_format;
        bool check = false;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = app.add_subcommand("agent", "run every probe as a daemon: event store, Prometheus /metrics, event API");
    cmd->add_option("--config", f->config, "YAML configuration file (default: built-in defaults); SIGHUP re-reads it");
    cmd->add_option("--listen", f->listen, "HTTP address:port (default 127.0.0.1:9464; port 0 picks one)");
    cmd->add_option("--data-dir", f->data_dir, "where the event store lives (default /var/lib/kscope)");
    cmd->add_option("--log-level", f->log_level, "trace, debug, info, warn, error");
    cmd->add_option("--log-format", f->log_format, "text or json");
    cmd->add_flag("--check", f->check,
                  "validate the configuration and every rules file it names, then exit (0 valid, 2 not)");
    cmd->final_callback([f, &exit_code] {
        // The file (or the defaults) with the command line on top; again on every reload.
        auto load = [f]() -> Result<AgentConfig> {
            auto config = f->config.empty() ? Result<AgentConfig>(default_agent_config()) : load_agent_config(f->config);
            if (!config)
                return config;
            AgentConfig& c = config.value();
            if (!f->listen.empty()) {
                if (auto l = parse_listen(f->listen); !l)
                    return l.error().context("--listen");
                c.listen = f->listen;
            }
            if (!f->data_dir.empty())
                c.data_dir = f->data_dir;
            if (!f->log_level.empty())
                c.log_level = f->log_level;
            if (!f->log_format.empty())
                c.log_format = f->log_format;
            if (auto r = load_agent_rules(c); !r)
                return r.error();
            return config;
        };
        auto config = load();
        if (!config) {
            fmt::print(stderr, "kscope agent: {}\n", config.error().message);
            exit_code = 2;
            return;
        }
        AgentConfig& c = config.value();
        if (f->check) {
            size_t loaded = c.rules_engine ? c.rules_engine->rules().size() : 0;
            size_t total = c.rules_engine ? c.rules_engine->ruleset().status.size() : 0;
            fmt::print("{}: valid; {} of {} rules loaded\n", f->config.empty() ? "built-in configuration" : f->config,
                       loaded, total);
            if (c.rules_engine)
                for (const auto& st : c.rules_engine->ruleset().status)
                    if (!st.loaded)
                        fmt::print("{}:{}: rule \"{}\": skipped: {}\n", st.loc.file, st.loc.line, st.name, st.reason);
            exit_code = 0;
            return;
        }
        if (auto r = setup_logging(c.log_level, c.log_format); !r) {
            fmt::print(stderr, "kscope agent: {}\n", r.error().message);
            exit_code = 2;
            return;
        }
        if (auto ok = preflight(); !ok) {
            spdlog::error("{}", ok.error().message);
            exit_code = 1;
            return;
        }
        const std::atomic<bool>& stop = install_stop_signals();
        std::atomic<bool>& reload = install_reload_signal();
        // Without a file there is nothing to re-read: SIGHUP says so and changes nothing.
        Agent agent(std::move(c), f->config.empty() ? std::function<Result<AgentConfig>()>() : load, &reload);
        if (auto r = agent.start(); !r) {
            spdlog::error("{}", r.error().message);
            exit_code = 1;
            return;
        }
        spdlog::info("kscope agent running, Ctrl-C or SIGTERM to stop{}",
                     f->config.empty() ? "" : ", SIGHUP to reload " + f->config);
        agent.run(stop);
        exit_code = 0;
    });
}

}  // namespace kscope
