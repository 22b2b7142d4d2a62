#include "rules/falco_fields.h"

#include <algorithm>
#include <array>

namespace kscope::rules {

namespace {

// Field classes whose every name is Falco's (Kubernetes, Mesos, tracers, plugins).
constexpr std::string_view kWholeClasses[] = {"k8s.", "k8smeta.", "mesos.", "marathon.", "span.", "evtin.",
                                              "syslog.", "fdlist.", "thread.", "ka.", "jevt.", "ct.", "aws.",
                                              "gcp.", "okta.", "github.", "json."};

// Names from Falco's syscall field classes (evt, proc, user, group, container, fd, fs).
// Argument fields (evt.arg, k8s.pod.label, container.mount.dest...) match by prefix.
constexpr std::string_view kNames[] = {
    "evt.num", "evt.time", "evt.time.s", "evt.time.iso8601", "evt.datetime", "evt.datetime.s", "evt.rawtime",
    "evt.rawtime.s", "evt.rawtime.ns", "evt.reltime", "evt.reltime.s", "evt.reltime.ns", "evt.pluginname",
    "evt.plugininfo", "evt.source", "evt.is_async", "evt.asynctype", "evt.hostname", "evt.latency",
    "evt.latency.s", "evt.latency.ns", "evt.latency.human", "evt.deltatime", "evt.deltatime.s",
    "evt.deltatime.ns", "evt.outputtime", "evt.dir", "evt.type", "evt.type.is", "evt.syscall.type",
    "evt.category", "evt.cpu", "evt.args", "evt.arg", "evt.rawarg", "evt.info", "evt.buffer", "evt.buflen",
    "evt.res", "evt.rawres", "evt.failed", "evt.is_io", "evt.is_io_read", "evt.is_io_write", "evt.io_dir",
    "evt.is_wait", "evt.wait_latency", "evt.is_syslog", "evt.count", "evt.count.error", "evt.count.error.file",
    "evt.count.error.net", "evt.count.error.memory", "evt.count.error.other", "evt.count.exit", "evt.around",
    "evt.abspath", "evt.abspath.src", "evt.abspath.dst", "evt.is_open_read", "evt.is_open_write",
    "evt.is_open_exec", "evt.is_open_create",
    "proc.exe", "proc.pexe", "proc.aexe", "proc.exepath", "proc.pexepath", "proc.aexepath", "proc.name",
    "proc.pname", "proc.aname", "proc.args", "proc.cmdline", "proc.pcmdline", "proc.acmdline", "proc.cmdnargs",
    "proc.cmdlenargs", "proc.exeline", "proc.env", "proc.aenv", "proc.cwd", "proc.loginshellid", "proc.tty",
    "proc.pid", "proc.ppid", "proc.apid", "proc.vpid", "proc.pvpid", "proc.sid", "proc.sname", "proc.sid.exe",
    "proc.sid.exepath", "proc.vpgid", "proc.vpgid.name", "proc.vpgid.exe", "proc.vpgid.exepath",
    "proc.duration", "proc.ppid.duration", "proc.pid.ts", "proc.ppid.ts", "proc.is_exe_writable",
    "proc.is_exe_upper_layer", "proc.is_exe_from_memfd", "proc.is_sid_leader", "proc.is_vpgid_leader",
    "proc.exe_ino", "proc.exe_ino.ctime", "proc.exe_ino.mtime", "proc.exe_ino.ctime_duration_proc_start",
    "proc.exe_ino.ctime_duration_pidns_start", "proc.pidns_init_start_ts", "proc.thread.cap_permitted",
    "proc.thread.cap_inheritable", "proc.thread.cap_effective", "proc.fdopencount", "proc.fdlimit",
    "proc.fdusage", "proc.vmsize", "proc.vmrss", "proc.vmswap", "proc.stdin.type", "proc.stdin.name",
    "proc.stdout.type", "proc.stdout.name", "proc.stderr.type", "proc.stderr.name", "proc.is_container_healthcheck",
    "proc.is_container_liveness_probe", "proc.is_container_readiness_probe", "proc.nthreads", "proc.nchilds",
    "user.uid", "user.name", "user.homedir", "user.shell", "user.loginuid", "user.loginname",
    "group.gid", "group.name",
    "container.id", "container.full_id", "container.name", "container.image", "container.image.id",
    "container.type", "container.privileged", "container.mounts", "container.mount", "container.mount.source",
    "container.mount.dest", "container.mount.mode", "container.mount.rdwr", "container.mount.propagation",
    "container.image.repository", "container.image.tag", "container.image.digest", "container.healthcheck",
    "container.liveness_probe", "container.readiness_probe", "container.start_ts", "container.duration",
    "container.ip", "container.cni.json", "container.host_pid", "container.host_network", "container.host_ipc",
    "container.label", "container.labels",
    "fd.num", "fd.type", "fd.typechar", "fd.name", "fd.directory", "fd.filename", "fd.ip", "fd.cip", "fd.sip",
    "fd.lip", "fd.rip", "fd.port", "fd.cport", "fd.sport", "fd.lport", "fd.rport", "fd.l4proto",
    "fd.sockfamily", "fd.is_server", "fd.uid", "fd.containername", "fd.containerdirectory", "fd.proto",
    "fd.cproto", "fd.sproto", "fd.lproto", "fd.rproto", "fd.net", "fd.cnet", "fd.snet", "fd.lnet", "fd.rnet",
    "fd.connected", "fd.name_changed", "fd.cip.name", "fd.sip.name", "fd.lip.name", "fd.rip.name", "fd.dev",
    "fd.dev.major", "fd.dev.minor", "fd.ino", "fd.nameraw", "fd.types",
    "fs.path.name", "fs.path.nameraw", "fs.path.source", "fs.path.sourceraw", "fs.path.target",
    "fs.path.targetraw",
};

// Falco fields that take an argument after a dot: container.label.app, evt.arg.flags.
constexpr std::string_view kArgPrefixes[] = {"evt.arg.", "evt.rawarg.", "evt.around.", "container.label.",
                                             "container.mount.", "proc.env.", "proc.aenv."};

}  // namespace

bool is_falco_field(std::string_view name) {
    for (auto c : kWholeClasses)
        if (name.starts_with(c)) return true;
    for (auto p : kArgPrefixes)
        if (name.starts_with(p)) return true;
    return std::find(std::begin(kNames), std::end(kNames), name) != std::end(kNames);
}

}  // namespace kscope::rules
