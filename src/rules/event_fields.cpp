#include "rules/event_fields.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/sysmacros.h>

#include <functional>
#include <set>
#include <unordered_map>

#include "events/names.h"
#include "events/open_flags.h"
#include "rules/field_catalog.h"
#include "rules/output_template.h"

namespace kscope::rules {

namespace {

template <class... Ts>
struct overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
overloaded(Ts...) -> overloaded<Ts...>;  // C++20 deduces it; clang 14 (the sanitizer build) needs it said

const char* yes(bool b) { return b ? "true" : "false"; }

std::string join(const std::vector<std::string>& v, size_t from = 0) {
    std::string out;
    for (size_t i = from; i < v.size(); i++) out += (i == from ? "" : " ") + v[i];
    return out;
}

}  // namespace

// The file or connection an event is about (Falco's fd.* fields).
struct EventFields::FdView {
    bool present = false;
    std::string_view name;     // into the event, or into `formatted`
    std::string formatted;     // a connection's "cip:cport->sip:sport", a memfd's name
    std::string_view type, l4proto;  // literals or the event's own strings
    int64_t num = -1;
    bool file = false;    // name is a path
    bool server = false;  // the process is the server side
    std::optional<IpAddr> lip, rip;
    int64_t lport = 0, rport = 0;
};

namespace {

using FdView = EventFields::FdView;

std::string_view family_type(std::string_view family) { return family == "ipv6" ? "ipv6" : "ipv4"; }

// Fills fd in place: its name may point into its own `formatted`, so it must not move.
void fill_fd(const Event& ev, FdView& fd) {
    auto conn = [&](std::string_view family, const std::string& laddr, uint16_t lport, const std::string& raddr,
                    uint16_t rport, bool server, std::string_view l4) {
        fd.present = true;
        fd.type = family_type(family);
        fd.l4proto = l4;
        fd.lip = parse_ip(laddr);
        fd.rip = parse_ip(raddr);
        fd.lport = lport;
        fd.rport = rport;
        fd.server = server;
        std::string l = fmt::format("{}:{}", laddr, lport), r = fmt::format("{}:{}", raddr, rport);
        fd.formatted = server ? r + "->" + l : l + "->" + r;
        fd.name = fd.formatted;
    };
    std::visit(overloaded{
                   [&](const OpenEvent& e) {
                       fd.present = true;
                       fd.file = true;
                       fd.name = e.resolved_path.empty() ? e.path : e.resolved_path;
                       fd.type = (e.open_flags & O_DIRECTORY) ? "directory" : "file";
                       fd.num = e.ret;
                   },
                   [&](const TcpEvent& e) {
                       conn(e.family, e.saddr, e.sport, e.daddr, e.dport, std::string_view(e.event) == "accept", "tcp");
                   },
                   [&](const DnsEvent& e) {
                       conn(e.family, e.saddr, e.sport, e.daddr, e.dport, false, e.transport);
                   },
                   [&](const FileChangeEvent& e) {
                       fd.present = true;
                       fd.file = true;
                       fd.type = "file";
                       fd.name = !e.resolved_new_path.empty() ? e.resolved_new_path
                                 : !e.resolved_path.empty()   ? e.resolved_path
                                 : !e.new_path.empty()        ? e.new_path
                                                              : e.path;
                       fd.num = e.fd;
                   },
                   [&](const MemfdCreateEvent& e) {
                       fd.present = true;
                       fd.type = "memfd";
                       fd.formatted = "memfd:" + e.name;
                       fd.name = fd.formatted;
                       fd.num = e.ret;
                   },
                   [&](const SocketEvent& e) {
                       fd.present = true;
                       fd.num = std::string_view(e.syscall) == "socket" ? e.ret : e.fd;
                       fd.l4proto = e.sock_type == "stream" ? "tcp" : e.sock_type == "dgram" ? "udp"
                                                                      : e.sock_type == "raw" ? "raw" : "";
                       if (e.family == "ipv4" || e.family == "ipv6") {
                           fd.type = e.family;
                           fd.lip = parse_ip(e.addr);
                           fd.lport = e.port;
                           fd.server = std::string_view(e.syscall) != "socket";
                           if (!e.addr.empty()) {
                               fd.formatted = fmt::format("{}:{}", e.addr, e.port);
                               fd.name = fd.formatted;
                           }
                       } else {
                           fd.type = e.family;  // unix, packet, netlink...
                           fd.name = e.addr;
                       }
                   },
                   [](const auto&) {},
               },
               ev);
}

// Falco's names for the arguments kscope carries, per event type.
std::optional<std::string> evt_arg(const Event& ev, std::string_view arg) {
    auto num = [](int64_t v) { return std::optional<std::string>(std::to_string(v)); };
    return std::visit(
        overloaded{
            [&](const ExecEvent& e) -> std::optional<std::string> {
                if (arg == "filename" || arg == "0") return e.filename;
                if (arg == "exe") return e.argv.empty() ? std::string() : e.argv[0];
                if (arg == "args") return join(e.argv, 1);
                if (arg == "cwd") return e.cwd;
                return std::nullopt;
            },
            [&](const OpenEvent& e) -> std::optional<std::string> {
                if (arg == "name" || arg == "path") return e.path;
                if (arg == "flags") return open_flags_text(e.open_flags);
                if (arg == "mode") return fmt::format("0{:o}", e.mode);
                if (arg == "fd") return num(e.ret);
                if (arg == "dirfd") return num(e.dirfd);
                return std::nullopt;
            },
            [&](const PrivilegeEvent& e) -> std::optional<std::string> {
                if (arg == "uid" || arg == "ruid") return num(e.new_uid);
                if (arg == "euid") return num(e.new_euid);
                if (arg == "suid") return num(e.new_suid);
                if (arg == "gid" || arg == "rgid") return num(e.new_gid);
                if (arg == "egid") return num(e.new_egid);
                return std::nullopt;
            },
            [&](const PtraceEvent& e) -> std::optional<std::string> {
                if (arg == "request") return e.request;
                if (arg == "pid") return num(e.target_pid);
                return std::nullopt;
            },
            [&](const ModuleLoadEvent& e) -> std::optional<std::string> {
                if (arg == "name") return e.name;
                if (arg == "uargs") return e.params;
                return std::nullopt;
            },
            [&](const BpfEvent& e) -> std::optional<std::string> {
                if (arg == "cmd") return e.command;
                if (arg == "name") return e.name;  // the program's or map's name from the attr
                return std::nullopt;
            },
            [&](const NamespaceEvent& e) -> std::optional<std::string> {
                if (arg == "flags" || arg == "nstype") return join(e.namespaces);
                if (arg == "fd") return num(e.fd);
                return std::nullopt;
            },
            [&](const MountEvent& e) -> std::optional<std::string> {
                if (arg == "dev" || arg == "source") return e.source;
                if (arg == "dir" || arg == "name" || arg == "path" || arg == "target") return e.target;
                if (arg == "type") return e.fstype;
                if (arg == "flags") return num(static_cast<int64_t>(e.flags));
                return std::nullopt;
            },
            [&](const FileChangeEvent& e) -> std::optional<std::string> {
                if (arg == "path" || arg == "filename" || arg == "name" || arg == "pathname" || arg == "oldpath" ||
                    arg == "target")
                    return e.path;
                if (arg == "newpath" || arg == "linkpath") return e.new_path;
                if (arg == "mode") return fmt::format("0{:o}", e.mode);
                if (arg == "uid") return num(e.owner_uid);
                if (arg == "gid") return num(e.owner_gid);
                if (arg == "fd") return num(e.fd);
                return std::nullopt;
            },
            [&](const MemfdCreateEvent& e) -> std::optional<std::string> {
                if (arg == "name") return e.name;
                if (arg == "flags") return num(e.flags);
                return std::nullopt;
            },
            [&](const SocketEvent& e) -> std::optional<std::string> {
                if (arg == "domain") return e.family;
                if (arg == "type") return e.sock_type;
                if (arg == "proto") return num(e.protocol);
                if (arg == "backlog") return num(e.backlog);
                if (arg == "fd") return num(e.fd);
                if (arg == "addr") return e.addr;
                return std::nullopt;
            },
            [](const auto&) -> std::optional<std::string> { return std::nullopt; },
        },
        ev);
}

std::optional<int64_t> result_of(const Event& ev) {
    return std::visit(overloaded{
                          [](const ExecEvent& e) -> std::optional<int64_t> { return e.ret; },
                          [](const OpenEvent& e) -> std::optional<int64_t> { return e.ret; },
                          [](const TcpEvent& e) -> std::optional<int64_t> {
                              if (std::string_view(e.event) == "connect") return e.ret;
                              return std::nullopt;
                          },
                          [](const PrivilegeEvent& e) -> std::optional<int64_t> { return e.ret; },
                          [](const PtraceEvent& e) -> std::optional<int64_t> { return e.ret; },
                          [](const ModuleLoadEvent& e) -> std::optional<int64_t> { return e.ret; },
                          [](const BpfEvent& e) -> std::optional<int64_t> { return e.ret; },
                          [](const PerfEventOpenEvent& e) -> std::optional<int64_t> { return e.ret; },
                          [](const UserfaultfdEvent& e) -> std::optional<int64_t> { return e.ret; },
                          [](const NamespaceEvent& e) -> std::optional<int64_t> { return e.ret; },
                          [](const MountEvent& e) -> std::optional<int64_t> { return e.ret; },
                          [](const FileChangeEvent& e) -> std::optional<int64_t> { return e.ret; },
                          [](const MemfdCreateEvent& e) -> std::optional<int64_t> { return e.ret; },
                          [](const SocketEvent& e) -> std::optional<int64_t> { return e.ret; },
                          [](const auto&) -> std::optional<int64_t> { return std::nullopt; },
                      },
                      ev);
}

using Getter = std::function<std::optional<FieldValue>(const EventFields&, const FieldRef&)>;

std::optional<FieldValue> str(std::string s) { return FieldValue(std::move(s)); }
// A view of text that outlives the evaluation (the event, the process table, literals).
std::optional<FieldValue> view(std::string_view s) { return FieldValue(s); }
std::optional<FieldValue> num(int64_t n) { return FieldValue(n); }

// Ancestor `n` (0: the process itself) of the event's process, through the process table.
const ProcessInfo* ancestor(const EventFields& f, int n) {
    const ProcessInfo* p = f.process();
    for (int i = 0; p && i < n; i++) {
        if (p->ppid == 0 || p->ppid == p->pid) return nullptr;
        p = f.context().process(p->ppid);
    }
    return p;
}

// proc.aname and friends: with an index, that ancestor; without, every ancestor (any matches).
std::optional<FieldValue> by_ancestor(const EventFields& f, const FieldRef& ref,
                                      const std::function<std::optional<FieldValue>(const ProcessInfo&)>& get) {
    if (ref.has_arg) {
        const ProcessInfo* p = ancestor(f, std::atoi(ref.arg.c_str()));
        if (!p) return std::nullopt;
        return get(*p);
    }
    std::vector<std::string> all;
    for (int i = 1; i < 64; i++) {
        const ProcessInfo* p = ancestor(f, i);
        if (!p) break;
        if (auto v = get(*p)) all.push_back(field_text(*v));
    }
    if (all.empty()) return std::nullopt;
    return FieldValue(std::move(all));
}

std::string cmdline(const ProcessInfo& p) {
    std::string out = p.comm;
    for (size_t i = 1; i < p.argv.size(); i++) out += " " + p.argv[i];
    return out;
}

std::optional<FieldValue> bool_field(bool b) { return view(yes(b)); }

// What the container runtime said about the event's container (nullptr: host, or not known).
const ContainerMeta* container_meta(const EventFields& f) {
    const std::string& id = common_of(f.event()).container_id;
    return id.empty() ? nullptr : f.context().container(id);
}

const std::unordered_map<std::string_view, Getter>& getters() {
    using F = const EventFields&;
    using R = const FieldRef&;
    auto proc = [](auto get) {
        return [get](F f, R) -> std::optional<FieldValue> {
            const ProcessInfo* p = f.process();
            if (!p) return std::nullopt;
            return get(*p);
        };
    };
    static const std::unordered_map<std::string_view, Getter> table = {
        {"evt.type", [](F f, R) { return view(falco_event_type(f.event())); }},
        {"evt.dir", [](F, R) { return view("<"); }},
        {"evt.res",
         [](F f, R) -> std::optional<FieldValue> {
             auto r = result_of(f.event());
             if (!r) return std::nullopt;
             return *r < 0 ? str(errno_name(static_cast<int>(*r))) : view("SUCCESS");
         }},
        {"evt.rawres",
         [](F f, R) -> std::optional<FieldValue> {
             auto r = result_of(f.event());
             if (!r) return std::nullopt;
             return num(*r);
         }},
        {"evt.failed",
         [](F f, R) -> std::optional<FieldValue> {
             auto r = result_of(f.event());
             return bool_field(r && *r < 0);
         }},
        {"evt.arg",
         [](F f, R r) -> std::optional<FieldValue> {
             auto v = evt_arg(f.event(), r.arg);
             if (!v) return std::nullopt;
             return str(std::move(*v));
         }},
        {"evt.num", [](F f, R) { return num(static_cast<int64_t>(f.number())); }},
        {"evt.rawtime", [](F f, R) { return num(static_cast<int64_t>(common_of(f.event()).ts_ns)); }},
        {"evt.hostname", [](F f, R) { return str(f.context().hostname()); }},
        {"evt.source", [](F, R) { return view("syscall"); }},
        {"evt.is_open_read",
         [](F f, R) -> std::optional<FieldValue> {
             auto* o = std::get_if<OpenEvent>(&f.event());
             if (!o) return bool_field(false);
             int acc = static_cast<int>(o->open_flags & O_ACCMODE);
             return bool_field(acc == O_RDONLY || acc == O_RDWR);
         }},
        {"evt.is_open_write",
         [](F f, R) -> std::optional<FieldValue> {
             auto* o = std::get_if<OpenEvent>(&f.event());
             if (!o) return bool_field(false);
             int acc = static_cast<int>(o->open_flags & O_ACCMODE);
             return bool_field(acc == O_WRONLY || acc == O_RDWR || (o->open_flags & O_TRUNC));
         }},
        {"evt.is_open_exec",
         [](F f, R) -> std::optional<FieldValue> {
             auto* o = std::get_if<OpenEvent>(&f.event());
             return bool_field(o && open_creates(o->open_flags) && (o->mode & 0111));
         }},
        {"evt.is_open_create",
         [](F f, R) -> std::optional<FieldValue> {
             auto* o = std::get_if<OpenEvent>(&f.event());
             return bool_field(o && (o->open_flags & O_CREAT));
         }},
        {"proc.name", [](F f, R) { return view(common_of(f.event()).comm); }},
        {"proc.exepath", proc([](const ProcessInfo& p) { return view(p.exe); })},
        {"proc.exe", proc([](const ProcessInfo& p) { return view(p.argv.empty() ? p.exe : p.argv[0]); })},
        {"proc.cmdline", proc([](const ProcessInfo& p) { return str(cmdline(p)); })},
        {"proc.args", proc([](const ProcessInfo& p) { return str(join(p.argv, 1)); })},
        {"proc.cmdnargs",
         proc([](const ProcessInfo& p) { return num(p.argv.empty() ? 0 : static_cast<int64_t>(p.argv.size() - 1)); })},
        {"proc.pid", [](F f, R) { return num(common_of(f.event()).pid); }},
        {"proc.ppid", [](F f, R) { return num(common_of(f.event()).ppid); }},
        {"thread.tid", [](F f, R) { return num(common_of(f.event()).tid); }},
        {"proc.pname",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* p = ancestor(f, 1)) return view(p->comm);
             return std::nullopt;
         }},
        {"proc.pexe",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* p = ancestor(f, 1)) return str(p->argv.empty() ? p->exe : p->argv[0]);
             return std::nullopt;
         }},
        {"proc.pexepath",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* p = ancestor(f, 1)) return view(p->exe);
             return std::nullopt;
         }},
        {"proc.pcmdline",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* p = ancestor(f, 1)) return str(cmdline(*p));
             return std::nullopt;
         }},
        {"proc.aname",
         [](F f, R r) { return by_ancestor(f, r, [](const ProcessInfo& p) { return str(p.comm); }); }},
        {"proc.aexe",
         [](F f, R r) {
             return by_ancestor(f, r, [](const ProcessInfo& p) { return str(p.argv.empty() ? p.exe : p.argv[0]); });
         }},
        {"proc.aexepath", [](F f, R r) { return by_ancestor(f, r, [](const ProcessInfo& p) { return str(p.exe); }); }},
        {"proc.acmdline",
         [](F f, R r) { return by_ancestor(f, r, [](const ProcessInfo& p) { return str(cmdline(p)); }); }},
        {"proc.apid",
         [](F f, R r) -> std::optional<FieldValue> {
             if (!r.has_arg) return std::nullopt;
             if (auto* p = ancestor(f, std::atoi(r.arg.c_str()))) return num(p->pid);
             return std::nullopt;
         }},
        {"proc.cwd", proc([](const ProcessInfo& p) -> std::optional<FieldValue> {
             if (p.cwd.empty()) return std::nullopt;
             return str(p.cwd.back() == '/' ? p.cwd : p.cwd + "/");  // Falco's cwd ends with '/'
         })},
        {"proc.tty", proc([](const ProcessInfo& p) { return num(p.tty); })},
        {"proc.is_exe_from_memfd", proc([](const ProcessInfo& p) { return bool_field(p.exe_memfd); })},
        {"proc.exe_ino", proc([](const ProcessInfo& p) { return num(static_cast<int64_t>(p.exe_inode)); })},
        {"proc.stdin.type", proc([](const ProcessInfo& p) { return view(p.stdin_type); })},
        {"proc.stdout.type", proc([](const ProcessInfo& p) { return view(p.stdout_type); })},
        {"proc.stderr.type", proc([](const ProcessInfo& p) { return view(p.stderr_type); })},
        {"user.uid", [](F f, R) { return num(common_of(f.event()).uid); }},
        {"user.name",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* u = f.context().user(common_of(f.event()).uid)) return str(u->name);
             return std::nullopt;
         }},
        {"user.homedir",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* u = f.context().user(common_of(f.event()).uid)) return str(u->home);
             return std::nullopt;
         }},
        {"user.shell",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* u = f.context().user(common_of(f.event()).uid)) return str(u->shell);
             return std::nullopt;
         }},
        {"user.loginuid", proc([](const ProcessInfo& p) {
             return num(p.loginuid == UINT32_MAX ? -1 : static_cast<int64_t>(p.loginuid));
         })},
        {"user.loginname",
         [](F f, R) -> std::optional<FieldValue> {
             const ProcessInfo* p = f.process();
             if (!p || p->loginuid == UINT32_MAX) return std::nullopt;
             if (auto* u = f.context().user(p->loginuid)) return str(u->name);
             return std::nullopt;
         }},
        {"group.gid", [](F f, R) { return num(common_of(f.event()).gid); }},
        {"group.name",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* g = f.context().group(common_of(f.event()).gid)) return str(*g);
             return std::nullopt;
         }},
        {"container.id",
         [](F f, R) {
             std::string_view id = common_of(f.event()).container_id;
             return view(id.empty() ? std::string_view("host") : id.substr(0, 12));
         }},
        {"container.full_id",
         [](F f, R) {
             std::string_view id = common_of(f.event()).container_id;
             return view(id.empty() ? std::string_view("host") : id);
         }},
        {"container.name",
         [](F f, R) {
             const std::string& id = common_of(f.event()).container_id;
             if (id.empty()) return view("host");
             const ContainerMeta* m = f.context().container(id);
             return m && !m->name.empty() ? str(m->name) : view(std::string_view(id).substr(0, 12));
         }},
        {"container.image",
         [](F f, R) -> std::optional<FieldValue> {
             if (const ContainerMeta* m = container_meta(f); m && !m->image.empty()) return str(m->image);
             return std::nullopt;
         }},
        {"container.image.repository",
         [](F f, R) -> std::optional<FieldValue> {
             if (const ContainerMeta* m = container_meta(f); m && !m->image.empty()) return str(split_image(m->image).first);
             return std::nullopt;
         }},
        {"container.image.tag",
         [](F f, R) -> std::optional<FieldValue> {
             const ContainerMeta* m = container_meta(f);
             if (!m) return std::nullopt;
             auto tag = split_image(m->image).second;
             if (tag.empty()) return std::nullopt;
             return str(tag);
         }},
        {"container.image.id",
         [](F f, R) -> std::optional<FieldValue> {
             if (const ContainerMeta* m = container_meta(f); m && !m->image_id.empty()) return str(m->image_id);
             return std::nullopt;
         }},
        {"ks.type", [](F f, R) { return view(type_name(f.event())); }},
        {"ks.dns.name",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* d = std::get_if<DnsEvent>(&f.event())) return view(d->name);
             return std::nullopt;
         }},
        {"ks.dns.rcode",
         [](F f, R) -> std::optional<FieldValue> {
             auto* d = std::get_if<DnsEvent>(&f.event());
             if (!d || std::string_view(d->event) != "response") return std::nullopt;
             return str(d->rcode);
         }},
        {"ks.tcp.latency_ns",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* t = std::get_if<TcpEvent>(&f.event())) return num(static_cast<int64_t>(t->latency_ns));
             return std::nullopt;
         }},
        {"ks.drop.reason",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* d = std::get_if<DropEvent>(&f.event())) return view(d->reason);
             return std::nullopt;
         }},
        {"ks.exe_deleted", proc([](const ProcessInfo& p) { return bool_field(p.exe_deleted); })},
        {"ks.privileged_exec",
         [](F f, R) -> std::optional<FieldValue> {
             auto* e = std::get_if<ExecEvent>(&f.event());
             return bool_field(e && e->privileged_exec);
         }},
        {"ks.new_euid",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* e = std::get_if<ExecEvent>(&f.event())) return num(e->new_euid);
             if (auto* p = std::get_if<PrivilegeEvent>(&f.event())) return num(p->new_euid);
             return std::nullopt;
         }},
        {"ks.old_euid",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* e = std::get_if<ExecEvent>(&f.event())) return num(e->old_euid);
             if (auto* p = std::get_if<PrivilegeEvent>(&f.event())) return num(p->old_euid);
             return std::nullopt;
         }},
        {"ks.target.pid",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* p = std::get_if<PtraceEvent>(&f.event())) return num(p->target_pid);
             return std::nullopt;
         }},
        {"ks.target.comm",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* p = std::get_if<PtraceEvent>(&f.event())) return str(p->target_comm);
             return std::nullopt;
         }},
        {"ks.namespaces",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* n = std::get_if<NamespaceEvent>(&f.event())) return FieldValue(n->namespaces);
             return std::nullopt;
         }},
        {"ks.mode_bits",
         [](F f, R) -> std::optional<FieldValue> {
             if (auto* c = std::get_if<FileChangeEvent>(&f.event())) return FieldValue(c->mode_bits);
             return std::nullopt;
         }},
        {"fs.path.name",
         [](F f, R) -> std::optional<FieldValue> {
             auto* c = std::get_if<FileChangeEvent>(&f.event());
             if (!c) return std::nullopt;
             return view(c->resolved_path.empty() ? c->path : c->resolved_path);
         }},
        {"fs.path.source",
         [](F f, R) -> std::optional<FieldValue> {
             auto* c = std::get_if<FileChangeEvent>(&f.event());
             if (!c || c->new_path.empty()) return std::nullopt;
             return view(c->resolved_path.empty() ? c->path : c->resolved_path);
         }},
        {"fs.path.target",
         [](F f, R) -> std::optional<FieldValue> {
             auto* c = std::get_if<FileChangeEvent>(&f.event());
             if (!c || c->new_path.empty()) return std::nullopt;
             return view(c->resolved_new_path.empty() ? c->new_path : c->resolved_new_path);
         }},
    };
    return table;
}

// fd.* fields, computed from the event's FdView.
std::optional<FieldValue> fd_field(const FdView& fd, std::string_view name) {
    if (!fd.present) return std::nullopt;
    auto ip = [](const std::optional<IpAddr>& a) -> std::optional<FieldValue> {
        if (!a) return std::nullopt;
        return FieldValue(*a);
    };
    const auto& sip = fd.server ? fd.lip : fd.rip;
    const auto& cip = fd.server ? fd.rip : fd.lip;
    const int64_t sport = fd.server ? fd.lport : fd.rport, cport = fd.server ? fd.rport : fd.lport;
    const bool net = fd.type == "ipv4" || fd.type == "ipv6";
    if (name == "fd.num") return fd.num >= 0 ? num(fd.num) : std::nullopt;
    if (name == "fd.name") return view(fd.name);
    if (name == "fd.type") return view(fd.type);
    if (name == "fd.typechar") {
        static const std::unordered_map<std::string_view, const char*> chars = {
            {"file", "f"}, {"directory", "d"}, {"ipv4", "4"}, {"ipv6", "6"}, {"unix", "u"}, {"pipe", "p"},
            {"memfd", "m"}};
        auto it = chars.find(fd.type);
        return view(it == chars.end() ? "o" : it->second);
    }
    if (name == "fd.directory" || name == "fd.filename") {
        if (!fd.file) return std::nullopt;
        std::string_view path = fd.name;
        size_t slash = path.rfind('/');
        if (slash == std::string_view::npos) return view(name == "fd.directory" ? std::string_view() : path);
        if (name == "fd.directory") return view(slash == 0 ? std::string_view("/") : path.substr(0, slash));
        return view(path.substr(slash + 1));
    }
    if (name == "fd.sockfamily") {
        if (net) return view("ip");
        if (fd.type == "unix") return view("unix");
        return std::nullopt;
    }
    if (name == "fd.l4proto") return fd.l4proto.empty() ? std::nullopt : view(fd.l4proto);
    if (!net) return std::nullopt;
    if (name == "fd.is_server") return bool_field(fd.server);
    if (name == "fd.sip" || name == "fd.dip" || name == "fd.snet") return ip(sip);
    if (name == "fd.cip" || name == "fd.cnet") return ip(cip);
    if (name == "fd.lip" || name == "fd.lnet") return ip(fd.lip);
    if (name == "fd.rip" || name == "fd.rnet") return ip(fd.rip);
    if (name == "fd.ip" || name == "fd.net") {  // either end: matches if one does
        std::vector<std::string> both;
        for (const auto* a : {&sip, &cip})
            if (auto v = ip(*a)) both.push_back(field_text(*v));
        if (both.empty()) return std::nullopt;
        return FieldValue(std::move(both));
    }
    if (name == "fd.sport" || name == "fd.dport") return num(sport);
    if (name == "fd.cport") return num(cport);
    if (name == "fd.lport") return num(fd.lport);
    if (name == "fd.rport") return num(fd.rport);
    return std::nullopt;
}

}  // namespace

std::string_view falco_event_type(const Event& ev) {
    return std::visit(overloaded{
                          [](const ExecEvent& e) -> std::string_view { return e.execveat ? "execveat" : "execve"; },
                          [](const ExitEvent&) -> std::string_view { return "procexit"; },
                          [](const OpenEvent& e) -> std::string_view { return e.syscall; },
                          [](const TcpEvent& e) -> std::string_view {
                              std::string_view k = e.event;
                              if (k == "connect") return "connect";
                              if (k == "accept") return "accept";
                              if (k == "close") return "close";
                              return tcp_type_name(e);
                          },
                          [](const PrivilegeEvent& e) -> std::string_view { return e.syscall; },
                          [](const PtraceEvent& e) -> std::string_view { return e.syscall; },
                          [](const ModuleLoadEvent& e) -> std::string_view { return e.syscall; },
                          [](const BpfEvent&) -> std::string_view { return "bpf"; },
                          [](const NamespaceEvent& e) -> std::string_view { return e.syscall; },
                          [](const MountEvent& e) -> std::string_view { return e.syscall; },
                          [](const FileChangeEvent& e) -> std::string_view { return e.syscall; },
                          [](const SocketEvent& e) -> std::string_view { return e.syscall; },
                          [](const PerfEventOpenEvent&) -> std::string_view { return "perf_event_open"; },
                          [](const UserfaultfdEvent&) -> std::string_view { return "userfaultfd"; },
                          [](const MemfdCreateEvent&) -> std::string_view { return "memfd_create"; },
                          [](const DnsEvent& e) -> std::string_view { return dns_event_type_name(e); },
                          [](const DropEvent&) -> std::string_view { return "drop"; },
                          [](const OomEvent&) -> std::string_view { return "oom_kill"; },
                          [](const AlertEvent&) -> std::string_view { return "alert"; },
                      },
                      ev);
}

EventFields::EventFields(const Event& event, ProcessContext& context, uint64_t number)
    : event_(event), context_(context), number_(number) {}
EventFields::~EventFields() = default;

bool event_field_known(std::string_view name) {
    static const std::set<std::string_view> fd_fields = {
        "fd.num", "fd.name", "fd.type", "fd.typechar", "fd.directory", "fd.filename", "fd.sockfamily", "fd.l4proto",
        "fd.is_server", "fd.sip", "fd.dip", "fd.cip", "fd.lip", "fd.rip", "fd.snet", "fd.cnet", "fd.lnet", "fd.rnet",
        "fd.ip", "fd.net", "fd.sport", "fd.dport", "fd.cport",
        "fd.lport", "fd.rport"};
    return getters().count(name) || fd_fields.count(name);
}

const ProcessInfo* EventFields::process() const {
    if (!looked_up_) {
        looked_up_ = true;
        const auto& c = common_of(event_);
        if (c.pid != 0) process_ = context_.process(c.pid);
    }
    return process_;
}

std::optional<FieldValue> EventFields::get(const FieldRef& field) const {
    if (field.name.starts_with("fd.")) {
        if (!fd_) {
            fd_ = std::make_unique<FdView>();
            fill_fd(event_, *fd_);
        }
        return fd_field(*fd_, field.name);
    }
    // Indexed by catalog id once, so evaluation does no string hashing.
    static const std::vector<const Getter*> by_id = [] {
        std::vector<const Getter*> v;
        for (const auto& info : field_catalog()) {
            auto it = getters().find(info.name);
            v.push_back(it == getters().end() ? nullptr : &it->second);
        }
        return v;
    }();
    const Getter* g = field.id >= 0 && size_t(field.id) < by_id.size() ? by_id[field.id] : nullptr;
    if (!g) {
        auto it = getters().find(field.name);
        if (it == getters().end()) return std::nullopt;
        g = &it->second;
    }
    return (*g)(*this, field);
}

}  // namespace kscope::rules
