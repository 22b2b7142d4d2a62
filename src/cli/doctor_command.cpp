// kscope doctor: what this machine offers and, per probe, which hook it uses or why not.
#include <fmt/format.h>

#include <filesystem>

#include "bpf/bpf_object.h"
#include "bpf/features.h"
#include "cli/commands.h"
#include "pipeline/cgroup_paths.h"
#include "probes/registry.h"

namespace kscope {
namespace {

const char* mark(bool ok) { return ok ? "ok  " : "FAIL"; }

int run_doctor() {
    bool can_run = true;
    auto line = [](bool ok, const std::string& what, const std::string& detail) {
        fmt::print("  [{}] {:<22} {}\n", mark(ok), what, detail);
    };

    fmt::print("System\n");
    KernelVersion v = kernel_version();
    bool kernel_ok = v.at_least(5, 8);
    line(kernel_ok, "kernel", v.release + (kernel_ok ? "" : " (kscope needs 5.8 or newer)"));
    bool btf = std::filesystem::exists(kVmlinuxBtf);
    line(btf, "BTF", btf ? kVmlinuxBtf : "missing: needs CONFIG_DEBUG_INFO_BTF=y");
    Privileges p = privileges();
    line(p.enough(), "privileges",
         fmt::format("euid root={} CAP_SYS_ADMIN={} CAP_BPF={} CAP_PERFMON={}{}", p.root, p.cap_sys_admin,
                     p.cap_bpf, p.cap_perfmon, p.enough() ? "" : " (run as root)"));
    auto tracefs = p.enough() ? ensure_tracefs() : Result<void>(Error{"not checked without privileges"});
    line(tracefs.ok(), "tracefs", tracefs.ok() ? kTracefs : tracefs.error().message);
    auto cg = cgroup2_mount_point();
    line(cg.has_value(), "cgroup v2", cg ? *cg : "not mounted: --cgroup and container ids unavailable");
    can_run = kernel_ok && btf && p.enough() && tracefs.ok();

    fmt::print("\nBPF program types\n");
    if (p.enough())
        for (const auto& c : probe_program_types()) {
            if (c.ok || c.needed)
                line(c.ok, c.name, c.detail);
            else
                fmt::print("  [n/a ] {:<22} not available (not needed): {}\n", c.name, c.detail);
        }
    else
        fmt::print("  (not checked without privileges)\n");

    fmt::print("\nProbes\n");
    if (!can_run) {
        fmt::print("  (not checked: fix the system checks above first)\n");
        fmt::print("\nkscope cannot run here.\n");
        return 1;
    }
    for (auto& probe : make_all_probes()) {
        auto loaded = probe->load(ProbeOptions{});
        if (!loaded) {
            line(false, std::string(probe->name()), loaded.error().message);
            can_run = false;
            continue;
        }
        bool all = true;
        std::string hooks;
        for (const auto& h : probe->attach()) {
            all = all && h.attached;
            hooks += fmt::format("\n         {} {}{}", h.attached ? "attached" : "FAILED  ", h.hook,
                                 h.attached ? "" : " (" + h.error + ")");
        }
        probe->detach();
        line(all, std::string(probe->name()), std::string(probe->description()) + hooks);
        can_run = can_run && all;
    }
    fmt::print("\n{}\n", can_run ? "kscope can run here." : "kscope cannot run every probe here.");
    return can_run ? 0 : 1;
}

}  // namespace

void register_doctor_command(CLI::App& app, int& exit_code) {
    CLI::App* cmd = app.add_subcommand("doctor", "check kernel, privileges and which hooks every probe uses");
    cmd->final_callback([&exit_code] { exit_code = run_doctor(); });
}

}  // namespace kscope
