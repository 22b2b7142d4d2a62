// kscope top: a live terminal view of the machine. Processes (CPU %, syscalls and errors
// per second from its own probes, TCP and storage bytes), every BPF program's runs and
// cost (like bpftop), and recent alerts: a running agent's (--agent) or from rules top
// loads itself (--rules). --batch prints the process table instead, like top -b.
#include <bpf/bpf.h>
#include <ncurses.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/commands.h"
#include "cli/signals.h"
#include "exporters/remote_write.h"
#include "rules/default_rules.h"
#include "tui/top_rules.h"
#include "tui/top_screen.h"
#include "tui/top_sources.h"

namespace kscope {
namespace {

using Clock = std::chrono::steady_clock;

Clock::duration seconds(double s) { return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s)); }

struct TopFlags {
    double interval_s = 1.0;
    std::string sort = "cpu";
    std::string filter;
    std::string agent;
    std::string token;
    bool rules = false;                  // the built-in rules, in top itself
    std::vector<std::string> rules_files;  // and these
    bool batch = false;
    uint32_t iterations = 0;  // 0: until stopped
    size_t top = 20;          // --batch rows
};

// The numbers between two refreshes, kept so a key can re-sort without a new sample.
struct Interval {
    top::ProcessSnapshot before, now;
    std::vector<BpfProgramInfo> programs_before, programs_now;
    double seconds = 0;
};

class Top {
public:
    Top(const TopFlags& f) : flags_(f), ticks_(double(sysconf(_SC_CLK_TCK))) {
        status_.interval_s = f.interval_s;
        status_.options.filter = f.filter;
        top::sort_key_from_name(f.sort, status_.options.sort);
        status_.cpus = size_t(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
        if (!f.agent.empty())
            agent_.emplace(f.agent, f.token);
    }

    // Without an agent, the rules top runs itself (--rules); an error leaves top unstarted.
    Result<void> start_rules() {
        if (!flags_.rules && flags_.rules_files.empty())
            return {};
        auto sources = rules::rules_sources(flags_.rules, flags_.rules_files);
        if (!sources)
            return sources.error();
        auto set = rules::load_rules(*sources);
        if (!set)
            return set.error();
        auto engine = std::make_shared<rules::RuleEngine>(std::move(*set), rules::RateLimit{1, 10});
        auto local = top::LocalAlerts::start(std::move(engine));
        if (!local)
            return local.error();
        local_ = std::move(*local);
        if (!local_->note().empty())
            note_ += (note_.empty() ? "" : "; ") + local_->note();
        return {};
    }

    void start() {
        sampler_.start();
        stats_fd_ = bpf_enable_stats(BPF_STATS_RUN_TIME);  // on while this fd is open
        for (const auto& why : sampler_.unavailable())
            note_ += (note_.empty() ? "" : "; ") + why;
        interval_.now = sampler_.sample();
        interval_.programs_now = list_bpf_programs();
        last_ = Clock::now();
    }
    ~Top() {
        if (stats_fd_ >= 0)
            close(stats_fd_);
    }

    void refresh() {
        const auto now = Clock::now();
        interval_.before = std::move(interval_.now);
        interval_.programs_before = std::move(interval_.programs_now);
        interval_.now = sampler_.sample();
        interval_.programs_now = list_bpf_programs();
        interval_.seconds = std::chrono::duration<double>(now - last_).count();
        last_ = now;
        agent_note_.clear();
        if (agent_) {
            if (auto a = agent_->fetch())
                alerts_ = std::move(*a);
            else
                agent_note_ = "agent: " + a.error().message;
        } else if (local_) {
            alerts_ = local_->newest();
        }
    }

    std::vector<top::ProcessRow> processes() const {
        return top::process_rows(interval_.before, interval_.now, interval_.seconds, ticks_, status_.options);
    }

    void draw(top::Screen& screen) {
        status_.note = agent_note_.empty() ? note_ : agent_note_;
        if (status_.view == top::View::Alerts && !agent_ && !local_)
            status_.note = "alerts: load rules (kscope top --rules) or ask an agent (--agent http://127.0.0.1:9464)";
        else if (status_.view == top::View::Alerts && local_ && agent_note_.empty())
            status_.note = fmt::format("{} rules on probes {} (audit: top never acts)", local_->rules(),
                                       fmt::join(local_->probes(), ","));
        screen.draw(status_, processes(), top::program_rows(interval_.programs_before, interval_.programs_now, interval_.seconds),
                    alerts_);
    }

    // A key; false when it quits.
    bool on_key(int ch) {
        if (status_.prompting) {
            if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
                status_.options.filter = status_.prompt;
                status_.prompting = false;
            } else if (ch == 27) {  // Esc
                status_.options.filter.clear();
                status_.prompting = false;
            } else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && !status_.prompt.empty()) {
                status_.prompt.pop_back();
            } else if (ch >= 32 && ch < 127 && status_.prompt.size() < 15) {
                status_.prompt += char(ch);
            }
            return true;
        }
        using top::SortKey;
        switch (ch) {
            case 'q': case 'Q': return false;
            case '1': status_.view = top::View::Processes; break;
            case '2': status_.view = top::View::Programs; break;
            case '3': status_.view = top::View::Alerts; break;
            case '\t': status_.view = top::View((int(status_.view) + 1) % 3); break;
            case 'c': status_.options.sort = SortKey::Cpu; break;
            case 's': status_.options.sort = SortKey::Syscalls; break;
            case 'e': status_.options.sort = SortKey::Errors; break;
            case 'r': status_.options.sort = SortKey::Rx; break;
            case 't': status_.options.sort = SortKey::Tx; break;
            case 'R': status_.options.sort = SortKey::Read; break;
            case 'W': status_.options.sort = SortKey::Write; break;
            case 'p': status_.options.sort = SortKey::Pid; break;
            case 'n': status_.options.sort = SortKey::Name; break;
            case '/':
                status_.prompting = true;
                status_.prompt = status_.options.filter;
                break;
            case '+': status_.interval_s = std::min(60.0, status_.interval_s * 2); break;
            case '-': status_.interval_s = std::max(0.25, status_.interval_s / 2); break;
            default: break;
        }
        return true;
    }

    double interval_s() const { return status_.interval_s; }

private:
    TopFlags flags_;
    double ticks_;
    top::Status status_;
    top::ProcessSampler sampler_;
    std::optional<top::AgentAlerts> agent_;
    std::unique_ptr<top::LocalAlerts> local_;
    std::vector<top::AlertRow> alerts_;
    Interval interval_;
    Clock::time_point last_;
    std::string note_, agent_note_;
    int stats_fd_ = -1;
};

int run_batch(Top& top, const TopFlags& f, const std::atomic<bool>& stop) {
    for (uint32_t i = 0; !stop && (f.iterations == 0 || i < f.iterations); i++) {
        const auto until = Clock::now() + seconds(f.interval_s);
        while (!stop && Clock::now() < until)
            usleep(20'000);
        top.refresh();
        fmt::print("{}\n", top::process_table(top.processes(), f.top));
        std::fflush(stdout);
    }
    return 0;
}

int run_interactive(Top& top, const TopFlags& f, const std::atomic<bool>& stop) {
    top::Screen screen;  // the terminal is given back however this returns
    top.draw(screen);
    auto next = Clock::now() + seconds(top.interval_s());
    uint32_t refreshes = 0;
    while (!stop) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
        const int ch = screen.key(int(std::clamp<long long>(left, 0, 200)));  // wakes for the stop flag too
        if (ch != ERR) {
            if (!top.on_key(ch))
                break;
            top.draw(screen);  // at once: a new sort, view or size needs no new sample
            continue;
        }
        if (Clock::now() < next)
            continue;
        top.refresh();
        top.draw(screen);
        next += seconds(top.interval_s());
        if (next < Clock::now())
            next = Clock::now();
        if (f.iterations && ++refreshes >= f.iterations)
            break;
    }
    return 0;
}

}  // namespace

void register_top_command(CLI::App& app, int& exit_code) {
    auto f = std::make_shared<TopFlags>();
    CLI::App* cmd = app.add_subcommand("top", "live view: processes (CPU, syscalls, errors, TCP, disk), BPF programs' cost, alerts");
    cmd->add_option("-i,--interval", f->interval_s, "seconds between refreshes")->check(CLI::Range(0.1, 3600.0))->capture_default_str();
    cmd->add_option("--sort", f->sort, "cpu, syscalls, errors, rx, tx, read, write, pid or name")
        ->check(CLI::IsMember({"cpu", "syscalls", "errors", "rx", "tx", "read", "write", "pid", "name"}))
        ->capture_default_str();
    cmd->add_option("--filter", f->filter, "only processes whose command name contains this");
    cmd->add_option("--agent", f->agent, "a running agent (http://127.0.0.1:9464) whose alerts the third view shows");
    cmd->add_option("--token", f->token, "the agent's bearer token (default: $KSCOPE_TOKEN)");
    cmd->add_flag("--rules", f->rules, "load the built-in detection rules (and the probes they need) for the third view")
        ->excludes("--agent");
    cmd->add_option("--rules-file", f->rules_files, "also load this rules file (Falco's format); repeatable")
        ->excludes("--agent");
    cmd->add_flag("-b,--batch", f->batch, "print the process table every interval instead of the live view");
    cmd->add_option("-n,--iterations", f->iterations, "stop after this many refreshes (0: until q or Ctrl-C)");
    cmd->add_option("--top", f->top, "--batch: rows per table (0: all)")->capture_default_str();
    cmd->final_callback([f, &exit_code] {
        if (f->token.empty())
            if (const char* t = std::getenv("KSCOPE_TOKEN"))
                f->token = t;
        if (!f->agent.empty())
            if (auto u = parse_http_url(f->agent); !u) {
                fmt::print(stderr, "kscope top: --agent: {}\n", u.error().message);
                exit_code = 2;
                return;
            }
        if (!f->batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
            fmt::print(stderr, "kscope top: the live view needs a terminal; use --batch for text\n");
            exit_code = 2;
            return;
        }
        if (geteuid() != 0)
            fmt::print(stderr, "kscope top: not root: the probes will not load (syscalls and TCP columns stay 0)\n");
        const auto& stop = install_stop_signals();
        Top top(*f);
        if (auto r = top.start_rules(); !r) {
            fmt::print(stderr, "kscope top: {}\n", r.error().message);
            exit_code = 1;
            return;
        }
        top.start();
        exit_code = f->batch ? run_batch(top, *f, stop) : run_interactive(top, *f, stop);
    });
}

}  // namespace kscope
