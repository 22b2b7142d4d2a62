// Domain events: what the decoders produce and every sink consumes.
#pragma once

#include <cstdint>
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

using Event = std::variant<ExecEvent, ExitEvent, OpenEvent, TcpEvent, DropEvent, DnsEvent, OomEvent>;

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
