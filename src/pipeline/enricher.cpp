#include "pipeline/enricher.h"

#include "pipeline/container_id.h"

namespace kscope {

Enricher::Enricher(ProcessCache& cache, std::string cgroup_mount)
    : cache_(cache), cgroups_(std::move(cgroup_mount)) {}

std::string Enricher::container_for(uint64_t cgroup_id, uint32_t pid) {
    if (auto it = container_by_cgroup_.find(cgroup_id); it != container_by_cgroup_.end())
        return it->second;
    if (auto path = cgroups_.path_of(cgroup_id, pid)) {
        std::string id = container_id_from_cgroup(*path);
        container_by_cgroup_.emplace(cgroup_id, id);
        return id;
    }
    // The cgroup may already be gone (a short-lived container): what /proc told us.
    if (const ProcessInfo* p = cache_.find(pid))
        return p->container_id;
    return "";
}

void Enricher::observe(const ExecEvent& e) {
    if (e.ret != 0)
        return;
    ProcessInfo info;
    if (const ProcessInfo* old = cache_.find(e.common.pid))
        info = *old;
    info.pid = e.common.pid;
    info.ppid = e.common.ppid;
    info.uid = e.common.uid;
    info.comm = e.common.comm;
    info.exe = e.filename;
    info.argv = e.argv;
    info.container_id = e.common.container_id;
    info.start_boot_ns = e.start_boot_ns;
    info.gid = e.common.gid;
    info.tty = e.tty;
    info.loginuid = e.loginuid;
    info.exe_inode = e.exe_inode;
    info.exe_memfd = e.exe_memfd;
    info.exe_deleted = e.exe_deleted;
    if (!e.cwd.empty())
        info.cwd = e.cwd;
    info.stdin_type = e.stdin_type;
    info.stdout_type = e.stdout_type;
    info.stderr_type = e.stderr_type;
    if (auto path = cgroups_.path_of(e.common.cgroup_id, e.common.pid))
        info.cgroup_path = *path;
    cache_.upsert(std::move(info));
}

void Enricher::forget(const Event& event) {
    if (const auto* e = std::get_if<ExitEvent>(&event))
        cache_.erase(e->common.pid);
}

void Enricher::enrich(Event& event) {
    CommonFields& c = common_of(event);
    if (c.pid != 0)  // pid 0: no owning process (a tcp connection nobody accepted)
        c.container_id = container_for(c.cgroup_id, c.pid);
    std::visit([this](const auto& ev) { observe(ev); }, event);
}

}  // namespace kscope
