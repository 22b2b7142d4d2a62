// Rules engine throughput on one core: a mixed stream of synthetic events (opens, execs,
// TCP connections, DNS answers, exits, privilege and file changes), built once, run
// through the built-in rules with a process table of ancestors. Prints events/s and the
// alerts raised.
// Usage: rules_engine_bench [EVENTS]
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <fcntl.h>

#include "rules/default_rules.h"
#include "rules/engine.h"

using namespace kscope;

namespace {

class Table final : public rules::ProcessContext {
public:
    Table() {
        for (uint32_t pid = 1; pid <= 2000; pid++) {
            ProcessInfo p;
            p.pid = pid;
            p.ppid = pid > 1 ? pid / 2 : 0;
            p.comm = pid % 7 == 0 ? "bash" : pid % 5 == 0 ? "nginx" : "worker";
            p.exe = "/usr/bin/" + p.comm;
            p.argv = {p.comm, "--flag", "value"};
            p.cwd = "/srv";
            procs_.upsert(std::move(p));
        }
        user_ = {"root", "/root", "/bin/bash"};
    }
    const ProcessInfo* process(uint32_t pid) override { return procs_.find(pid); }
    const UserEntry* user(uint32_t) override { return &user_; }
    const std::string* group(uint32_t) override { return &group_; }
    const std::string& hostname() override { return host_; }

private:
    ProcessCache procs_;
    UserEntry user_;
    std::string group_ = "root", host_ = "bench";
};

CommonFields common(uint32_t i) {
    CommonFields c;
    c.pid = 1 + i % 2000;
    c.tid = c.pid;
    c.ppid = c.pid / 2;
    c.comm = i % 7 == 0 ? "bash" : "worker";
    c.ts_ns = 1'700'000'000'000'000'000ull + i;
    return c;
}

std::vector<Event> workload(size_t n) {
    static const char* paths[] = {"/var/lib/app/data.db", "/etc/hostname", "/usr/lib/x86_64-linux-gnu/libc.so.6",
                                  "/proc/self/stat", "/tmp/work/file.txt", "/etc/ld.so.cache"};
    std::vector<Event> out;
    out.reserve(n);
    for (uint32_t i = 0; i < n; i++) {
        switch (i % 20) {
            case 0: {
                ExecEvent e;
                e.common = common(i);
                e.filename = "/usr/bin/ls";
                e.argv = {"ls", "-l", "/srv"};
                e.stdin_type = "pipe";
                e.stdout_type = "pipe";
                out.emplace_back(std::move(e));
                break;
            }
            case 1: {
                ExitEvent e;
                e.common = common(i);
                out.emplace_back(std::move(e));
                break;
            }
            case 2:
            case 3:
            case 4: {
                TcpEvent e;
                e.common = common(i);
                e.event = "connect";
                e.family = "ipv4";
                e.saddr = "10.0.0.2";
                e.daddr = "10.0.0.9";
                e.sport = 40000 + i % 1000;
                e.dport = 443;
                out.emplace_back(std::move(e));
                break;
            }
            case 5: {
                DnsEvent e;
                e.common = common(i);
                e.event = "response";
                e.family = "ipv4";
                e.name = "example.internal";
                out.emplace_back(std::move(e));
                break;
            }
            case 6: {
                FileChangeEvent e;
                e.common = common(i);
                e.syscall = "unlink";
                e.path = e.resolved_path = "/tmp/work/old.txt";
                out.emplace_back(std::move(e));
                break;
            }
            default: {
                OpenEvent e;
                e.common = common(i);
                e.syscall = "openat";
                e.path = e.resolved_path = paths[i % 6];
                e.open_flags = i % 3 ? O_RDONLY : O_WRONLY | O_CREAT;
                e.ret = 3;
                out.emplace_back(std::move(e));
            }
        }
    }
    return out;
}

}  // namespace

int main(int argc, char** argv) {
    const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2'000'000;
    auto set = rules::load_rules({{std::string(rules::kDefaultRulesName), std::string(rules::default_rules_text())}});
    if (!set) {
        fmt::print(stderr, "{}\n", set.error().message);
        return 1;
    }
    const size_t rule_count = set->rules.size();
    rules::RuleEngine engine(std::move(set.value()), {});
    Table table;
    auto events = workload(n);
    std::vector<Event> alerts;
    const auto start = std::chrono::steady_clock::now();
    for (const auto& e : events) engine.evaluate(e, table, alerts);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    uint64_t matches = 0;
    for (size_t i = 0; i < rule_count; i++)
        matches += engine.counters(i).fired.load() + engine.counters(i).suppressed.load();
    fmt::print("rules engine: {} events through {} built-in rules on one core (prefiltered by evt.type) in {:.3f} s: {:.0f} events/s, "
               "{:.0f} ns per event; {} matches, {} alerts after the rate limit\n",
               n, rule_count, secs, n / secs, secs * 1e9 / n, matches, alerts.size());
    return 0;
}
