// kscope profile: CPU profiling with complete user stacks (unwound in the kernel from
// .eh_frame tables) and kernel stacks, counted in the kernel.
#include <bpf/libbpf.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "bpf/bpf_object.h"
#include "bpf/features.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/flag_checks.h"
#include "cli/signals.h"
#include "probes/profile_probe.h"
#include "profile/profile_output.h"
#include "profile/stack_naming.h"
#include "util/clock.h"

namespace kscope {
namespace {

struct ProfileFlags {
    CommonFlags common;
    bool folded = false;
    std::string pprof_path, flamegraph_path;
    std::vector<std::string> diff;  // BEFORE AFTER
    size_t top = 30;
    bool off_cpu = false;
    uint64_t min_block_us = 1;
    uint32_t frequency = 99;
    bool user_only = false, kernel_only = false;
};

Result<void> write_file(const std::string& path, const std::string& data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out || !out.write(data.data(), std::streamsize(data.size())) || !out.flush())
        return Error{"cannot write " + path};
    return {};
}

// Every output asked for; the table when none is.
Result<void> write_outputs(const ProfileFlags& f, const std::vector<SymbolizedStack>& stacks, int64_t start_ns,
                           int64_t duration_ns) {
    const std::string unit = f.off_cpu ? "microseconds" : "samples";
    if (!f.pprof_path.empty()) {
        PprofOptions o;
        if (f.off_cpu) {
            o.sample_type = "offcpu";
            o.sample_unit = "microseconds";
        } else {
            o.period_ns = 1'000'000'000ull / f.frequency;
        }
        o.time_nanos = start_ns;
        o.duration_nanos = duration_ns;
        if (auto r = write_file(f.pprof_path, write_pprof(stacks, o)); !r)
            return r;
    }
    if (!f.flamegraph_path.empty()) {
        FlameGraphOptions o;
        o.unit = unit;
        o.title = f.off_cpu ? "kscope off-CPU time" : "kscope CPU profile";
        if (auto r = write_file(f.flamegraph_path, render_flamegraph(fold(stacks), o)); !r)
            return r;
    }
    if (f.folded)
        fmt::print("{}", write_folded(fold(stacks)));
    else if (f.common.json)
        fmt::print("{}", write_profile_json(stacks));
    else if (f.pprof_path.empty() && f.flamegraph_path.empty())
        fmt::print("{}", write_top_table(top_functions(stacks), f.top));
    std::fflush(stdout);
    return {};
}

// --diff BEFORE AFTER: a differential flame graph of two saved profiles.
int run_diff(const ProfileFlags& f) {
    auto before = load_profile_file(f.diff[0]);
    auto after = before ? load_profile_file(f.diff[1]) : Result<FoldedProfile>(before.error());
    if (!before || !after) {
        fmt::print(stderr, "kscope profile --diff: {}\n", (!before ? before : after).error().message);
        return 2;
    }
    FlameGraphOptions o;
    o.title = "kscope differential profile: " + f.diff[0] + " -> " + f.diff[1];
    const std::string html = render_diff_flamegraph(diff(*before, *after), o);
    if (f.flamegraph_path.empty()) {
        fmt::print("{}", html);
        return 0;
    }
    if (auto r = write_file(f.flamegraph_path, html); !r) {
        fmt::print(stderr, "kscope profile --diff: {}\n", r.error().message);
        return 1;
    }
    return 0;
}

int ring_callback(void* ctx, void* data, size_t size) {
    static_cast<ProfileProbe*>(ctx)->on_record(data, size);
    return 0;
}

int run_profile(const ProfileFlags& f, const SessionOptions& options) {
    set_libbpf_verbose(f.common.verbose);
    if (auto ok = preflight(); !ok) {
        fmt::print(stderr, "kscope: {}\n", ok.error().message);
        return 1;
    }
    const std::atomic<bool>& stop = install_stop_signals();
    ProfileSettings settings;
    settings.off_cpu = f.off_cpu;
    settings.min_block_ns = f.min_block_us * 1000;
    settings.frequency_hz = f.frequency;
    settings.user = !f.kernel_only;
    settings.kernel = !f.user_only;
    ProfileProbe probe(settings);
    if (auto r = probe.load(options.probe); !r) {
        fmt::print(stderr, "kscope: {}\n", r.error().message);
        return 1;
    }
    if (auto r = probe.start_loader(); !r) {
        fmt::print(stderr, "kscope: {}\n", r.error().message);
        return 1;
    }
    // The processes asked for are loaded before sampling starts, so even their first
    // samples have complete stacks.
    if (settings.user)
        for (uint32_t pid : options.probe.filter.pids)
            (void)probe.loader()->load_process(pid);
    for (const auto& hook : probe.attach())
        if (!hook.attached) {
            fmt::print(stderr, "kscope: probe profile: cannot attach {} to {}: {}\n", hook.program, hook.hook,
                       hook.error);
            return 1;
        }
    auto ring = probe.ring_fd();
    ring_buffer* rb = ring ? ring_buffer__new(*ring, ring_callback, &probe, nullptr) : nullptr;
    if (!rb) {
        fmt::print(stderr, "kscope: probe profile: cannot read its ring buffer\n");
        return 1;
    }
    if (f.off_cpu)
        fmt::print(stderr, "kscope offcpu: tracing blocks of {} us or more, Ctrl-C to stop\n", f.min_block_us);
    else
        fmt::print(stderr, "kscope profile: tracing, sampling at {} Hz, Ctrl-C to stop\n", f.frequency);
    using Clock = std::chrono::steady_clock;
    const auto started = Clock::now();
    const int64_t started_ns = int64_t(epoch_now_ns());
    // Requests for mappings are served here until the end. The probe submits without a
    // wakeup (see emit.bpf.h), so the ring is drained on a short timer.
    while (!stop && !(options.duration && Clock::now() - started >= *options.duration)) {
        ring_buffer__poll(rb, 20);
        ring_buffer__consume(rb);
    }
    probe.detach();
    ring_buffer__consume(rb);
    ring_buffer__free(rb);

    auto stacks = probe.read_stacks();
    if (!stacks) {
        fmt::print(stderr, "kscope: {}\n", stacks.error().message);
        return 1;
    }
    Symbolizer symbolizer;
    const auto named = name_stacks(*stacks, probe.loader()->processes(), symbolizer);
    if (auto r = write_outputs(f, named, started_ns, int64_t(epoch_now_ns()) - started_ns); !r) {
        fmt::print(stderr, "kscope: {}\n", r.error().message);
        return 1;
    }
    const ProfileStats st = probe.stats();
    if (f.common.stats)
        fmt::print(stderr,
                   "profile: {} samples, {} user stacks complete, {} stopped early, {} frames by frame pointer, {} "
                   "pcs without mapping, {} truncated, {} lost (maps full); tables: {} files, {} rows\n",
                   st.samples, st.user_complete, st.user_stopped, st.frame_pointer_frames, st.no_mapping,
                   st.truncated, st.lost, probe.loader()->stats().files, probe.loader()->stats().rows_used);
    return 0;
}

// The flags profile and offcpu share.
CLI::App* add_stack_command(CLI::App& app, const std::string& name, const std::string& description, int& exit_code,
                            std::shared_ptr<ProfileFlags> f) {
    CLI::App* cmd = app.add_subcommand(name, description);
    add_common_flags(*cmd, f->common, "");
    // A profile is one report at the end: no events to count, no event times.
    cmd->remove_option(cmd->get_option("--count"));
    cmd->remove_option(cmd->get_option("-T"));
    cmd->add_flag("--folded", f->folded, "folded stacks on stdout (comm;root;...;leaf COUNT), for flamegraph.pl");
    cmd->add_option("--pprof", f->pprof_path, "write a gzipped pprof profile (go tool pprof) to FILE");
    cmd->add_option("--flamegraph", f->flamegraph_path, "write an interactive HTML flame graph to FILE");
    cmd->add_option("--top", f->top, "functions in the table (0: all)")->check(whole_number())->capture_default_str();
    cmd->add_flag("-U,--user", f->user_only, "user stacks only");
    cmd->add_flag("-K,--kernel", f->kernel_only, "kernel stacks only");
    cmd->final_callback([f, &exit_code] {
        if (!f->diff.empty()) {
            exit_code = run_diff(*f);
            return;
        }
        if (f->folded && f->common.json)
            throw CLI::ValidationError("--folded/--json", "choose one output on stdout");
        if (f->user_only && f->kernel_only)
            throw CLI::ValidationError("-U/-K", "choose one of user only (-U) or kernel only (-K)");
        auto options = session_options(f->common);
        if (!options) {
            fmt::print(stderr, "kscope {}: {}\n", f->off_cpu ? "offcpu" : "profile", options.error().message);
            exit_code = 2;
            return;
        }
        exit_code = run_profile(*f, *options);
    });
    return cmd;
}

}  // namespace

void register_profile_command(CLI::App& app, int& exit_code) {
    auto f = std::make_shared<ProfileFlags>();
    CLI::App* cmd = add_stack_command(app, "profile", "CPU profile with complete user and kernel stacks (like profile/perf)",
                                      exit_code, f);
    cmd->add_option("-F,--frequency", f->frequency, "samples per second on each CPU")
        ->check(CLI::Range(1u, 10000u))
        ->capture_default_str();
    cmd->add_option("--diff", f->diff,
                    "compare two saved profiles (folded or pprof): a differential flame graph to --flamegraph FILE "
                    "or stdout")
        ->expected(2);
}

void register_offcpu_command(CLI::App& app, int& exit_code) {
    auto f = std::make_shared<ProfileFlags>();
    f->off_cpu = true;
    CLI::App* cmd = add_stack_command(app, "offcpu",
                                      "time blocked off-CPU by stack, in microseconds (like offcputime)", exit_code, f);
    cmd->add_option("--min-block", f->min_block_us, "only blocks of at least this many microseconds")
        ->check(positive_whole_number())
        ->capture_default_str();
}

}  // namespace kscope
