#include "probes/registry.h"

#include "probes/block_probes.h"
#include "probes/dns_probe.h"
#include "probes/drops_probe.h"
#include "probes/exec_probe.h"
#include "probes/exit_probe.h"
#include "probes/faults_probe.h"
#include "probes/filechange_probe.h"
#include "probes/filetop_probe.h"
#include "probes/namespaces_probe.h"
#include "probes/oom_probe.h"
#include "probes/open_probe.h"
#include "probes/privilege_probe.h"
#include "probes/profile_probe.h"
#include "probes/runqlat_probe.h"
#include "probes/socket_probe.h"
#include "probes/syscalls_probe.h"
#include "probes/tcp_probe.h"
#include "probes/tcptop_probe.h"

namespace kscope {

std::vector<std::unique_ptr<Probe>> make_all_probes() {
    std::vector<std::unique_ptr<Probe>> all;
    all.push_back(std::make_unique<ExecProbe>());
    all.push_back(std::make_unique<ExitProbe>());
    all.push_back(std::make_unique<OpenProbe>());
    all.push_back(std::make_unique<SyscallsProbe>());
    all.push_back(std::make_unique<FiletopProbe>());
    all.push_back(std::make_unique<TcpProbe>());
    all.push_back(std::make_unique<DropsProbe>());
    all.push_back(std::make_unique<TcptopProbe>());
    all.push_back(std::make_unique<DnsProbe>());
    all.push_back(std::make_unique<ProfileProbe>());
    all.push_back(std::make_unique<RunqlatProbe>());
    all.push_back(std::make_unique<BiolatProbe>());
    all.push_back(std::make_unique<BiotopProbe>());
    all.push_back(std::make_unique<OomProbe>());
    all.push_back(std::make_unique<FaultsProbe>());
    all.push_back(std::make_unique<PrivilegeProbe>());
    all.push_back(std::make_unique<NamespacesProbe>());
    all.push_back(std::make_unique<FilechangeProbe>());
    all.push_back(std::make_unique<SocketProbe>());
    return all;
}

std::unique_ptr<Probe> make_probe(std::string_view name) {
    if (name == "retrans")
        return std::make_unique<TcpProbe>(/*retransmits=*/true);
    for (auto& p : make_all_probes())
        if (p->name() == name)
            return std::move(p);
    return nullptr;
}

std::set<std::string> probes_for_event_types(const std::set<std::string>& types) {
    // By the syscalls each probe hooks (its decoder names them as the events' syscall).
    static const std::vector<std::pair<std::string_view, std::set<std::string_view>>> kProbes = {
        {"exec", {"execve", "execveat"}},
        {"exit", {"procexit"}},
        {"open", {"open", "openat", "openat2", "creat"}},
        {"tcp", {"connect", "accept", "close"}},
        {"socket", {"socket", "bind", "listen"}},
        {"privilege", {"ptrace", "process_vm_writev", "init_module", "finit_module", "bpf", "perf_event_open",
                       "userfaultfd", "setuid", "setreuid", "setresuid", "setfsuid", "setgid", "setregid",
                       "setresgid", "setfsgid", "setgroups", "capset"}},
        {"namespaces", {"unshare", "setns", "clone", "clone3", "mount", "umount", "pivot_root", "chroot"}},
        {"filechange", {"chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "fchownat", "lchown", "link",
                        "linkat", "symlink", "symlinkat", "rename", "renameat", "renameat2", "unlink", "unlinkat",
                        "memfd_create"}},
        {"dns", {"dns_query", "dns_response"}},
        {"drops", {"drop"}},
        {"oom", {"oom_kill"}},
    };
    std::set<std::string> out;
    for (const auto& [probe, syscalls] : kProbes)
        for (const auto& t : types)
            if (syscalls.count(t) || (probe == "tcp" && t.starts_with("tcp_")))
                out.insert(std::string(probe));
    return out;
}

}  // namespace kscope
