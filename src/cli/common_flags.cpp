#include "cli/common_flags.h"

#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "cli/flag_checks.h"

namespace kscope {

void add_common_flags(CLI::App& cmd, CommonFlags& f, const std::string& failures_help) {
    cmd.add_option("-p,--pid", f.pids, "only these processes (thread-group ids; repeat or comma-separate)")
        ->delimiter(',');
    cmd.add_option("-c,--comm", f.comms, "only tasks with this command name (exact, up to 15 chars)")
        ->delimiter(',');
    cmd.add_option("--cgroup", f.cgroup, "only tasks in this cgroup v2 directory or below it");
    cmd.add_flag("--json", f.json, "one JSON object per line");
    if (!failures_help.empty())
        cmd.add_flag("-x,--failed", f.failures_only, failures_help);
    cmd.add_flag("-T,--time", f.timestamps, "print a TIME column");
    cmd.add_option("--duration", f.duration_s, "stop after this many seconds")->check(positive_seconds());
    cmd.add_option("--count", f.count, "stop after this many events")->check(positive_whole_number());
    cmd.add_flag("--include-self", f.include_self, "also trace kscope's own process (left out by default)");
    cmd.add_flag("--allow-missing-pid", f.allow_missing_pid,
                 "keep tracing when a -p process does not exist yet (it is traced once it appears)");
    cmd.add_flag("--stats", f.stats, "print per-probe event and loss counts on exit");
    cmd.add_flag("--show-secrets", f.show_secrets,
                 "print command lines as they are (passwords, tokens and keys are *** by default)");
    cmd.add_flag("-v,--verbose", f.verbose, "print libbpf and verifier messages");
    cmd.add_option("--ring-kib", f.ring_kib, "ring buffer size per probe in KiB (power of two)")
        ->check(CLI::Range(4u, 1u << 20))
        ->check([](const std::string& s) {
            unsigned long v = std::stoul(s);
            return (v & (v - 1)) == 0 ? std::string() : std::string("must be a power of two");
        });
}

Result<SessionOptions> session_options(const CommonFlags& f) {
    for (uint32_t pid : f.pids) {
        if (pid == 0 || (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)) {
            if (!f.allow_missing_pid)
                return Error{fmt::format("no process has pid {} (add --allow-missing-pid to trace it once it appears)",
                                         pid)};
            fmt::print(stderr, "kscope: warning: no process has pid {} yet; it is traced once it appears\n", pid);
        }
    }
    SessionOptions o;
    auto filter = make_filter(f.pids, f.comms, f.cgroup, f.failures_only);
    if (!filter)
        return filter.error();
    o.probe.filter = std::move(filter.value());
    if (!f.include_self)
        o.probe.filter.exclude_pid = static_cast<uint32_t>(::getpid());
    o.probe.ring_bytes = f.ring_kib * 1024;
    if (f.duration_s > 0)
        o.duration = std::chrono::duration<double>(f.duration_s);
    o.max_events = f.count;
    o.decode.boot_to_epoch_ns = boot_to_epoch_offset_ns();
    if (!f.show_secrets)
        o.redactor = Redactor::make({}).value();  // the built-in patterns always compile
    return o;
}

}  // namespace kscope
