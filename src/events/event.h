// Domain events: what the decoders produce and every sink consumes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace kscope {

// Fields every event carries (the DESIGN.md JSON contract).
struct CommonFields {
    uint64_t ts_ns = 0;        // ns since the Unix epoch
    uint32_t pid = 0;
    uint32_t tid = 0;
    uint32_t ppid = 0;
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::string comm;
    uint64_t cgroup_id = 0;
    std::string container_id;  // empty when not in a container
};

struct ExecEvent {
    CommonFields common;
    std::string filename;
    std::vector<std::string> argv;
    bool args_truncated = false;   // more arguments or bytes than carried
    bool args_unreadable = false;  // the caller's argv memory could not be read
    bool execveat = false;
    int32_t ret = 0;               // 0 or -errno
    uint64_t start_boot_ns = 0;    // process start (CLOCK_BOOTTIME), for the process cache
    // Security context, read at sched_process_exec (successful execs only).
    bool privileged_exec = false;  // the exec raised euid/egid or capabilities (setuid bit, file caps)
    uint32_t old_uid = 0, old_euid = 0, new_uid = 0, new_euid = 0;  // before and after the exec
    const char* stdin_type = "";   // what fds 0-2 are: file, directory, pipe, char, block, ipv4,
    const char* stdout_type = "";  //  ipv6, unix, netlink, packet, socket (other families), other
    const char* stderr_type = "";  //  (no file type: eventfd, epoll...), or "" when closed
    bool exe_memfd = false;        // the executable is a memfd (fileless)
    bool exe_deleted = false;      // the executable was unlinked
    uint64_t exe_inode = 0;
    uint32_t tty = 0;              // controlling tty's device number (0: none)
    uint32_t loginuid = UINT32_MAX;  // audit login uid (UINT32_MAX: unset)
    std::string cwd;               // working directory; "" when not resolved
};

struct ExitEvent {
    CommonFields common;
    int exit_code = 0;        // the status passed to exit(), when not killed
    int signal = 0;           // terminating signal, 0 if none
    bool core_dumped = false;
    uint64_t duration_ns = 0; // process lifetime
};

struct OpenEvent {
    CommonFields common;
    const char* syscall = "";   // open, openat, openat2, creat
    std::string path;           // as passed
    std::string resolved_path;  // absolute; "" when it could not be resolved
    const char* resolution = "";  // as_passed, cwd, dirfd, or why not: bad_dirfd, too_deep, unreadable
    uint64_t open_flags = 0;    // O_*
    uint64_t resolve_flags = 0; // openat2 RESOLVE_*
    uint32_t mode = 0;
    int32_t dirfd = 0;
    int64_t ret = 0;            // fd or -errno
};

struct TcpEvent {
    CommonFields common;          // the owning process (pid 0 if none ever owned it)
    const char* event = "";       // connect, accept, close, retransmit, reset_sent, reset_received
    const char* family = "";      // ipv4, ipv6
    std::string saddr, daddr;     // local and remote address
    uint16_t sport = 0, dport = 0;
    uint64_t latency_ns = 0;      // connect: SYN -> established/failure; accept: handshake RTT
    uint64_t duration_ns = 0;     // close: connection lifetime
    uint64_t bytes_sent = 0, bytes_received = 0;
    const char* closed_by = "";   // close: local, remote, unknown
    int32_t ret = 0;              // connect: 0 or -errno
    std::string state;            // retransmit/reset: ESTABLISHED, SYN_SENT, ...
};

struct DropEvent {
    CommonFields common;       // the task running when the packet was dropped
    std::string reason;        // kernel drop reason, e.g. NO_SOCKET
    uint32_t reason_code = 0;
    std::string protocol;      // ipv4, ipv6, arp, or the ethertype in hex
    std::string l4_protocol;   // tcp, udp, icmp, icmpv6, or the number; "" if unknown
    std::string saddr, daddr;  // "" when not an IP packet
    uint16_t sport = 0, dport = 0;
    uint64_t location = 0;     // kernel address of the drop
};

struct DnsEvent {
    CommonFields common;          // the process that owns the socket (pid 0 if unknown)
    const char* event = "";       // query (sent), response (received)
    const char* family = "";      // ipv4, ipv6
    const char* transport = "";   // udp, tcp
    std::string saddr, daddr;     // local address, the DNS server's address
    uint16_t sport = 0, dport = 0;
    uint16_t id = 0;              // DNS message id
    std::string name;             // the question's name
    std::string query_type;       // A, AAAA, ...
    std::string rcode;            // response: NOERROR, NXDOMAIN, ...
    uint16_t answers = 0;         // response: answer records in the message
    std::vector<std::string> addresses;  // response: A/AAAA answers
    uint64_t latency_ns = 0;      // response: since its query; 0 if the query was not seen
    bool truncated = false;       // the message was longer than kscope carries or parsed
};

// An OOM kill. The common fields describe the victim (the process killed).
struct OomEvent {
    CommonFields common;
    uint32_t trigger_pid = 0;        // the process whose allocation ran out of memory
    std::string trigger_comm;
    const char* constraint = "";     // memcg (a memory cgroup at its limit), global
    std::string memcg;               // that cgroup's path in the memory hierarchy; "" when global
    uint64_t memcg_limit_bytes = 0;  // its limit; 0 when global
    uint64_t rss_bytes = 0;          // victim's resident memory (anon + file + shmem) at the kill
    int32_t oom_score_adj = 0;       // victim's, -1000..1000
};

// ---- Security probes. `syscall` is the syscall's name as Falco's evt.type spells it;
// `ret` is the result (-errno on failure), `error` its name in JSON.

// privilege: set*id, setgroups, capset: the caller's credentials before and after.
struct PrivilegeEvent {
    CommonFields common;
    const char* syscall = "";  // setuid setgid setreuid setregid setresuid setresgid setfsuid setfsgid setgroups capset
    uint32_t old_uid = 0, old_euid = 0, old_suid = 0, old_fsuid = 0;
    uint32_t old_gid = 0, old_egid = 0, old_sgid = 0, old_fsgid = 0;
    uint32_t new_uid = 0, new_euid = 0, new_suid = 0, new_fsuid = 0;
    uint32_t new_gid = 0, new_egid = 0, new_sgid = 0, new_fsgid = 0;
    uint64_t old_cap_effective = 0, new_cap_effective = 0;
    uint64_t old_cap_permitted = 0, new_cap_permitted = 0;
    int64_t ret = 0;
};

// ptrace: ptrace() and process_vm_writev into another process.
struct PtraceEvent {
    CommonFields common;
    const char* syscall = "";   // ptrace, process_vm_writev
    std::string request;        // PTRACE_ATTACH, PTRACE_POKETEXT... ("" for process_vm_writev)
    int64_t request_code = 0;
    uint32_t target_pid = 0;
    std::string target_comm;    // "" when the target was gone
    uint64_t bytes = 0;         // process_vm_writev: bytes requested
    int64_t ret = 0;
};

// module_load: init_module/finit_module, with the name module:module_load reported.
struct ModuleLoadEvent {
    CommonFields common;
    const char* syscall = "";   // init_module, finit_module
    std::string name;           // the module's name ("" when the load failed before naming it)
    std::string path;           // finit_module: the file's path; "" otherwise
    std::string params;         // the parameter string passed
    int64_t ret = 0;
};

// bpf: program loads and map creations through bpf().
struct BpfEvent {
    CommonFields common;
    std::string command;        // BPF_PROG_LOAD, BPF_MAP_CREATE
    std::string prog_type;      // BPF_PROG_TYPE_KPROBE... ("" for maps)
    std::string map_type;       // BPF_MAP_TYPE_HASH... ("" for programs)
    std::string name;           // the object's name as given
    int64_t ret = 0;
};

// perf_event_open by a process that is not root.
struct PerfEventOpenEvent {
    CommonFields common;
    uint32_t perf_type = 0;     // PERF_TYPE_*
    std::string perf_type_name; // hardware, software, tracepoint, hw_cache, raw, breakpoint, or the number
    uint64_t config = 0;
    int32_t target_pid = 0;     // -1: every process
    int32_t cpu = 0;
    int64_t ret = 0;
};

struct UserfaultfdEvent {
    CommonFields common;
    uint32_t flags = 0;
    int64_t ret = 0;
};

// namespace: unshare, setns, and clone/clone3 with CLONE_NEW* flags.
struct NamespaceEvent {
    CommonFields common;
    const char* syscall = "";   // unshare, setns, clone, clone3
    std::vector<std::string> namespaces;  // mnt, uts, ipc, user, pid, net, cgroup, time
    uint64_t flags = 0;         // CLONE_* (setns: nstype)
    int32_t fd = -1;            // setns: the namespace fd
    int64_t ret = 0;            // clone: the child's pid
};

// mount: mount, umount2, pivot_root, chroot.
struct MountEvent {
    CommonFields common;
    const char* syscall = "";   // mount, umount, pivot_root, chroot
    std::string source;         // mount: the device or source; pivot_root: put_old
    std::string target;         // mount point, new root, or chroot's directory
    std::string fstype;
    uint64_t flags = 0;         // MS_* / MNT_*
    int64_t ret = 0;
};

// file_change: metadata and name changes, with paths resolved like the open probe's.
struct FileChangeEvent {
    CommonFields common;
    const char* syscall = "";   // chmod fchmod fchmodat chown fchown lchown fchownat unlink unlinkat
                                // rename renameat renameat2 link linkat symlink symlinkat
    std::string path;           // the file acted on; rename/link: the old name; symlink: the target text
    std::string resolved_path;  // absolute; "" when not resolved (symlink targets are not resolved)
    std::string new_path;       // rename/link/symlink: the name created; "" otherwise
    std::string resolved_new_path;
    uint32_t mode = 0;          // chmod: the new mode
    std::vector<std::string> mode_bits;  // chmod: S_ISUID, S_ISGID, S_ISVTX when set
    int64_t owner_uid = -1, owner_gid = -1;  // chown: new owner (-1: unchanged)
    int32_t fd = -1;            // fchmod/fchown: the fd
    int64_t ret = 0;
};

struct MemfdCreateEvent {
    CommonFields common;
    std::string name;
    uint32_t flags = 0;         // MFD_*
    int64_t ret = 0;            // the fd
};

// socket: socket(), bind() and listen(): new sockets and new listeners.
struct SocketEvent {
    CommonFields common;
    const char* syscall = "";   // socket, bind, listen
    std::string family;         // ipv4, ipv6, unix, packet, netlink, or the number
    std::string sock_type;      // stream, dgram, raw, seqpacket, or the number
    int32_t protocol = 0;
    std::string addr;           // bind/listen: local address (unix: the path); "" otherwise
    uint16_t port = 0;
    int32_t backlog = 0;        // listen
    int32_t fd = -1;            // bind/listen: the socket fd
    int64_t ret = 0;            // socket: the new fd
};

// alert: a rule matched an event. The common fields are the triggering event's.
struct TriggerEvent;  // holds the Event that fired (defined below, after Event)
struct AncestorProcess {
    uint32_t pid = 0;
    std::string comm;
    std::string exe;
    std::string cmdline;  // argv joined by spaces, at most kMaxCmdline bytes
    static constexpr size_t kMaxCmdline = 256;
    bool operator==(const AncestorProcess&) const = default;
};

struct AlertEvent {
    CommonFields common;
    std::string rule;
    std::string priority;            // Falco's: Emergency Alert Critical Error Warning Notice Informational Debug
    std::string output;              // the rule's output template, filled
    std::vector<std::string> tags;
    std::string source = "rule";
    std::string action = "alert";  // alert, kill, deny, would_kill, would_deny
    // Actions only: whether the kernel acted (at `hook`, `stage`) or user space did.
    bool in_kernel = false;
    std::string hook;   // exec, open_write, connect... ("" from user space)
    std::string stage;  // syscall_entry, after_call, cgroup_sock_addr
    // From the container runtime's socket, when it answered (empty otherwise).
    std::string container_name;
    std::string container_image;
    // source "anomaly": the workload (container:<id>, else an executable path); what is
    // new (exec, peer, listen, write_dir) or rose (exec_rate, connect_rate, error_rate);
    // the new item; the items its baseline learned.
    std::string workload;
    std::string anomaly;
    std::string new_item;
    uint64_t baseline_size = 0;
    // Rate alerts (anomaly *_rate, flood): per second now, and the learned mean (anomaly)
    // or the configured limit (flood).
    double rate = 0;
    double expected_rate = 0;
    // source "flood": the sending address, the protocol counted (udp, syn, any), the
    // interface, and whether its packets are dropped for the cooldown.
    std::string saddr;
    std::string protocol;
    std::string interface;
    bool mitigated = false;
    uint64_t cooldown_s = 0;
    // The process and its parents, nearest first, as the process table knew them when the
    // alert was raised (rule alerts; empty when the process was already gone).
    std::vector<AncestorProcess> ancestry;
    std::shared_ptr<const TriggerEvent> trigger;
};

using Event = std::variant<ExecEvent, ExitEvent, OpenEvent, TcpEvent, DropEvent, DnsEvent, OomEvent, PrivilegeEvent,
                           PtraceEvent, ModuleLoadEvent, BpfEvent, PerfEventOpenEvent, UserfaultfdEvent, NamespaceEvent,
                           MountEvent, FileChangeEvent, MemfdCreateEvent, SocketEvent, AlertEvent>;

struct TriggerEvent {
    Event event;
};

const CommonFields& common_of(const Event& e);
CommonFields& common_of(Event& e);
const char* type_name(const Event& e);
// Every value type_name can return, for checking user input ("type=bogus").
const std::vector<std::string_view>& event_type_names();
// "dns_query", "dns_response".
const char* dns_event_type_name(const DnsEvent& e);
// "tcp_connect", "tcp_accept", "tcp_close", "tcp_retransmit", "tcp_reset_sent",
// "tcp_reset_received".
const char* tcp_type_name(const TcpEvent& e);

}  // namespace kscope
