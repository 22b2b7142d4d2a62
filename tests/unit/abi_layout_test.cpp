// The BPF and C++ halves share include/kscope/abi; this checks that the layout the BPF
// compiler produced (BTF in the .bpf.o) matches what the C++ compiler sees.
#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "kscope/abi/exec.h"
#include "kscope/abi/exit.h"
#include "kscope/abi/flood.h"
#include "kscope/abi/open.h"
#include "kscope/abi/syscalls.h"
#include "kscope/abi/tcp.h"
#include "kscope/abi/dns.h"
#include "kscope/abi/profile.h"
#include "kscope/abi/drops.h"
#include "kscope/abi/filetop.h"
#include "kscope/abi/block.h"
#include "kscope/abi/faults.h"
#include "kscope/abi/filechange.h"
#include "kscope/abi/oom.h"
#include "kscope/abi/runqlat.h"
#include "kscope/abi/privilege.h"
#include "kscope/abi/namespaces.h"
#include "kscope/abi/socket.h"

namespace kscope {
namespace {

struct Member {
    const char* name;
    size_t offset;
};

void expect_layout(const std::string& object, const char* type, size_t size, std::initializer_list<Member> members) {
    std::string path = std::string(KSCOPE_BPF_DIR) + "/" + object;
    btf* b = btf__parse_elf(path.c_str(), nullptr);
    ASSERT_NE(b, nullptr) << "cannot read BTF from " << path;
    int id = btf__find_by_name_kind(b, type, BTF_KIND_STRUCT);
    ASSERT_GT(id, 0) << type << " not in " << object;
    const btf_type* t = btf__type_by_id(b, id);
    EXPECT_EQ(t->size, size) << type;
    const btf_member* m = btf_members(t);
    for (const Member& want : members) {
        bool found = false;
        for (int i = 0; i < btf_vlen(t); i++) {
            if (std::string(btf__name_by_offset(b, m[i].name_off)) == want.name) {
                EXPECT_EQ(btf_member_bit_offset(t, i) / 8, want.offset) << type << "." << want.name;
                found = true;
            }
        }
        EXPECT_TRUE(found) << type << "." << want.name;
    }
    btf__free(b);
}

TEST(AbiLayout, HeaderMatches) {
    expect_layout("exit.bpf.o", "kscope_event_header", sizeof(kscope_event_header),
                  {{"ts_ns", offsetof(kscope_event_header, ts_ns)},
                   {"cgroup_id", offsetof(kscope_event_header, cgroup_id)},
                   {"pid", offsetof(kscope_event_header, pid)},
                   {"tid", offsetof(kscope_event_header, tid)},
                   {"ppid", offsetof(kscope_event_header, ppid)},
                   {"uid", offsetof(kscope_event_header, uid)},
                   {"gid", offsetof(kscope_event_header, gid)},
                   {"type", offsetof(kscope_event_header, type)},
                   {"size", offsetof(kscope_event_header, size)},
                   {"comm", offsetof(kscope_event_header, comm)}});
}

TEST(AbiLayout, ExecEventMatches) {
    expect_layout("exec.bpf.o", "kscope_exec_event", sizeof(kscope_exec_event),
                  {{"hdr", offsetof(kscope_exec_event, hdr)},
                   {"ret", offsetof(kscope_exec_event, ret)},
                   {"flags", offsetof(kscope_exec_event, flags)},
                   {"filename_len", offsetof(kscope_exec_event, filename_len)},
                   {"args_len", offsetof(kscope_exec_event, args_len)},
                   {"argc", offsetof(kscope_exec_event, argc)},
                   {"cwd_len", offsetof(kscope_exec_event, cwd_len)},
                   {"start_boot_ns", offsetof(kscope_exec_event, start_boot_ns)},
                   {"exe_inode", offsetof(kscope_exec_event, exe_inode)},
                   {"old_uid", offsetof(kscope_exec_event, old_uid)},
                   {"old_euid", offsetof(kscope_exec_event, old_euid)},
                   {"new_uid", offsetof(kscope_exec_event, new_uid)},
                   {"new_euid", offsetof(kscope_exec_event, new_euid)},
                   {"tty", offsetof(kscope_exec_event, tty)},
                   {"loginuid", offsetof(kscope_exec_event, loginuid)},
                   {"fd_type", offsetof(kscope_exec_event, fd_type)}});
}

TEST(AbiLayout, FileChangeEventsMatch) {
    expect_layout("filechange.bpf.o", "kscope_filechange_event", sizeof(kscope_filechange_event),
                  {{"hdr", offsetof(kscope_filechange_event, hdr)},
                   {"ret", offsetof(kscope_filechange_event, ret)},
                   {"mode", offsetof(kscope_filechange_event, mode)},
                   {"owner_uid", offsetof(kscope_filechange_event, owner_uid)},
                   {"owner_gid", offsetof(kscope_filechange_event, owner_gid)},
                   {"fd", offsetof(kscope_filechange_event, fd)},
                   {"syscall", offsetof(kscope_filechange_event, syscall)},
                   {"flags", offsetof(kscope_filechange_event, flags)},
                   {"path_len", offsetof(kscope_filechange_event, path_len)},
                   {"base_len", offsetof(kscope_filechange_event, base_len)},
                   {"new_path_len", offsetof(kscope_filechange_event, new_path_len)},
                   {"new_base_len", offsetof(kscope_filechange_event, new_base_len)}});
    expect_layout("filechange.bpf.o", "kscope_memfd_event", sizeof(kscope_memfd_event),
                  {{"hdr", offsetof(kscope_memfd_event, hdr)},
                   {"ret", offsetof(kscope_memfd_event, ret)},
                   {"mfd_flags", offsetof(kscope_memfd_event, mfd_flags)},
                   {"name_len", offsetof(kscope_memfd_event, name_len)},
                   {"name_unreadable", offsetof(kscope_memfd_event, name_unreadable)}});
}

TEST(AbiLayout, SocketEventMatches) {
    expect_layout("socket.bpf.o", "kscope_socket_event", sizeof(kscope_socket_event),
                  {{"hdr", offsetof(kscope_socket_event, hdr)},
                   {"ret", offsetof(kscope_socket_event, ret)},
                   {"addr", offsetof(kscope_socket_event, addr)},
                   {"fd", offsetof(kscope_socket_event, fd)},
                   {"backlog", offsetof(kscope_socket_event, backlog)},
                   {"protocol", offsetof(kscope_socket_event, protocol)},
                   {"family", offsetof(kscope_socket_event, family)},
                   {"sock_type", offsetof(kscope_socket_event, sock_type)},
                   {"port", offsetof(kscope_socket_event, port)},
                   {"syscall", offsetof(kscope_socket_event, syscall)},
                   {"flags", offsetof(kscope_socket_event, flags)},
                   {"path_len", offsetof(kscope_socket_event, path_len)}});
}

TEST(AbiLayout, FloodMapsMatch) {
    expect_layout("flood.bpf.o", "kscope_flood_key", sizeof(kscope_flood_key),
                  {{"ifindex", offsetof(kscope_flood_key, ifindex)}, {"addr", offsetof(kscope_flood_key, addr)}});
    expect_layout("flood.bpf.o", "kscope_flood_counts", sizeof(kscope_flood_counts),
                  {{"packets", offsetof(kscope_flood_counts, packets)},
                   {"udp", offsetof(kscope_flood_counts, udp)},
                   {"syn", offsetof(kscope_flood_counts, syn)}});
    expect_layout("flood.bpf.o", "kscope_flood_addr", sizeof(kscope_flood_addr),
                  {{"addr", offsetof(kscope_flood_addr, addr)}});
}

TEST(AbiLayout, ExitEventMatches) {
    expect_layout("exit.bpf.o", "kscope_exit_event", sizeof(kscope_exit_event),
                  {{"hdr", offsetof(kscope_exit_event, hdr)},
                   {"duration_ns", offsetof(kscope_exit_event, duration_ns)},
                   {"exit_code", offsetof(kscope_exit_event, exit_code)}});
}

TEST(AbiLayout, OpenEventMatches) {
    expect_layout("open.bpf.o", "kscope_open_event", sizeof(kscope_open_event),
                  {{"hdr", offsetof(kscope_open_event, hdr)},
                   {"ret", offsetof(kscope_open_event, ret)},
                   {"open_flags", offsetof(kscope_open_event, open_flags)},
                   {"resolve", offsetof(kscope_open_event, resolve)},
                   {"mode", offsetof(kscope_open_event, mode)},
                   {"dirfd", offsetof(kscope_open_event, dirfd)},
                   {"syscall", offsetof(kscope_open_event, syscall)},
                   {"flags", offsetof(kscope_open_event, flags)},
                   {"path_len", offsetof(kscope_open_event, path_len)},
                   {"base_len", offsetof(kscope_open_event, base_len)}});
}

TEST(AbiLayout, SyscallStatsMatch) {
    expect_layout("syscalls.bpf.o", "kscope_syscall_stats", sizeof(kscope_syscall_stats),
                  {{"comm", offsetof(kscope_syscall_stats, comm)},
                   {"calls", offsetof(kscope_syscall_stats, calls)},
                   {"errors", offsetof(kscope_syscall_stats, errors)},
                   {"total_ns", offsetof(kscope_syscall_stats, total_ns)},
                   {"max_ns", offsetof(kscope_syscall_stats, max_ns)},
                   {"max_epoch", offsetof(kscope_syscall_stats, max_epoch)},
                   {"hist", offsetof(kscope_syscall_stats, hist)}});
    expect_layout("syscalls.bpf.o", "kscope_syscall_errno_key", sizeof(kscope_syscall_errno_key),
                  {{"pid", offsetof(kscope_syscall_errno_key, pid)},
                   {"nr", offsetof(kscope_syscall_errno_key, nr)},
                   {"err", offsetof(kscope_syscall_errno_key, err)}});
}

TEST(AbiLayout, TcpEventMatches) {
    expect_layout("tcp.bpf.o", "kscope_tcp_event", sizeof(kscope_tcp_event),
                  {{"latency_ns", offsetof(kscope_tcp_event, latency_ns)},
                   {"duration_ns", offsetof(kscope_tcp_event, duration_ns)},
                   {"bytes_sent", offsetof(kscope_tcp_event, bytes_sent)},
                   {"bytes_received", offsetof(kscope_tcp_event, bytes_received)},
                   {"saddr", offsetof(kscope_tcp_event, saddr)},
                   {"daddr", offsetof(kscope_tcp_event, daddr)},
                   {"sport", offsetof(kscope_tcp_event, sport)},
                   {"dport", offsetof(kscope_tcp_event, dport)},
                   {"family", offsetof(kscope_tcp_event, family)},
                   {"kind", offsetof(kscope_tcp_event, kind)},
                   {"closed_by", offsetof(kscope_tcp_event, closed_by)},
                   {"error", offsetof(kscope_tcp_event, error)}});
}

TEST(AbiLayout, FiletopStructsMatch) {
    expect_layout("filetop.bpf.o", "kscope_file_io", sizeof(kscope_file_io),
                  {{"comm", offsetof(kscope_file_io, comm)},
                   {"reads", offsetof(kscope_file_io, reads)},
                   {"writes", offsetof(kscope_file_io, writes)},
                   {"read_bytes", offsetof(kscope_file_io, read_bytes)},
                   {"write_bytes", offsetof(kscope_file_io, write_bytes)},
                   {"type", offsetof(kscope_file_io, type)}});
    expect_layout("filetop.bpf.o", "kscope_file_key", sizeof(kscope_file_key),
                  {{"file", offsetof(kscope_file_key, file)}, {"pid", offsetof(kscope_file_key, pid)}});
    expect_layout("filetop.bpf.o", "kscope_file_path", sizeof(kscope_file_path),
                  {{"len", offsetof(kscope_file_path, len)},
                   {"flags", offsetof(kscope_file_path, flags)},
                   {"path", offsetof(kscope_file_path, path)}});
}

TEST(AbiLayout, DropEventMatches) {
    expect_layout("drops.bpf.o", "kscope_drop_event", sizeof(kscope_drop_event),
                  {{"location", offsetof(kscope_drop_event, location)},
                   {"reason", offsetof(kscope_drop_event, reason)},
                   {"protocol", offsetof(kscope_drop_event, protocol)},
                   {"l4_protocol", offsetof(kscope_drop_event, l4_protocol)},
                   {"has_addrs", offsetof(kscope_drop_event, has_addrs)},
                   {"saddr", offsetof(kscope_drop_event, saddr)},
                   {"daddr", offsetof(kscope_drop_event, daddr)},
                   {"sport", offsetof(kscope_drop_event, sport)},
                   {"dport", offsetof(kscope_drop_event, dport)}});
}

TEST(AbiLayout, DnsEventMatches) {
    expect_layout("dns.bpf.o", "kscope_dns_event", sizeof(kscope_dns_event),
                  {{"latency_ns", offsetof(kscope_dns_event, latency_ns)},
                   {"saddr", offsetof(kscope_dns_event, saddr)},
                   {"daddr", offsetof(kscope_dns_event, daddr)},
                   {"sport", offsetof(kscope_dns_event, sport)},
                   {"dport", offsetof(kscope_dns_event, dport)},
                   {"family", offsetof(kscope_dns_event, family)},
                   {"kind", offsetof(kscope_dns_event, kind)},
                   {"transport", offsetof(kscope_dns_event, transport)},
                   {"message_len", offsetof(kscope_dns_event, message_len)},
                   {"payload_len", offsetof(kscope_dns_event, payload_len)},
                   {"payload", offsetof(kscope_dns_event, payload)}});
}

TEST(AbiLayout, SchedAndMemoryStructsMatch) {
    expect_layout("runqlat.bpf.o", "kscope_runq_stats", sizeof(kscope_runq_stats),
                  {{"comm", offsetof(kscope_runq_stats, comm)}, {"hist", offsetof(kscope_runq_stats, hist)}});
    expect_layout("runqlat.bpf.o", "kscope_latency_hist", sizeof(kscope_latency_hist),
                  {{"count", offsetof(kscope_latency_hist, count)},
                   {"sum_ns", offsetof(kscope_latency_hist, sum_ns)},
                   {"max_ns", offsetof(kscope_latency_hist, max_ns)},
                   {"max_epoch", offsetof(kscope_latency_hist, max_epoch)},
                   {"prev_max_ns", offsetof(kscope_latency_hist, prev_max_ns)},
                   {"prev_epoch", offsetof(kscope_latency_hist, prev_epoch)},
                   {"slots", offsetof(kscope_latency_hist, slots)}});
    expect_layout("biolat.bpf.o", "kscope_biolat_stats", sizeof(kscope_biolat_stats),
                  {{"disk", offsetof(kscope_biolat_stats, disk)},
                   {"bytes", offsetof(kscope_biolat_stats, bytes)},
                   {"total", offsetof(kscope_biolat_stats, total)},
                   {"queue", offsetof(kscope_biolat_stats, queue)},
                   {"device", offsetof(kscope_biolat_stats, device)}});
    expect_layout("biotop.bpf.o", "kscope_biotop_stats", sizeof(kscope_biotop_stats),
                  {{"comm", offsetof(kscope_biotop_stats, comm)},
                   {"disk", offsetof(kscope_biotop_stats, disk)},
                   {"ops", offsetof(kscope_biotop_stats, ops)},
                   {"bytes", offsetof(kscope_biotop_stats, bytes)},
                   {"total_ns", offsetof(kscope_biotop_stats, total_ns)}});
    expect_layout("faults.bpf.o", "kscope_faults_stats", sizeof(kscope_faults_stats),
                  {{"comm", offsetof(kscope_faults_stats, comm)}, {"faults", offsetof(kscope_faults_stats, faults)}});
    expect_layout("oom.bpf.o", "kscope_oom_event", sizeof(kscope_oom_event),
                  {{"hdr", offsetof(kscope_oom_event, hdr)},
                   {"rss_pages", offsetof(kscope_oom_event, rss_pages)},
                   {"memcg_limit_pages", offsetof(kscope_oom_event, memcg_limit_pages)},
                   {"trigger_pid", offsetof(kscope_oom_event, trigger_pid)},
                   {"trigger_tid", offsetof(kscope_oom_event, trigger_tid)},
                   {"trigger_comm", offsetof(kscope_oom_event, trigger_comm)},
                   {"oom_score_adj", offsetof(kscope_oom_event, oom_score_adj)},
                   {"constraint", offsetof(kscope_oom_event, constraint)},
                   {"memcg_path_len", offsetof(kscope_oom_event, memcg_path_len)},
                   {"memcg_path", offsetof(kscope_oom_event, memcg_path)}});
}


TEST(AbiLayout, PrivilegeEventsMatch) {
    expect_layout("privilege.bpf.o", "kscope_creds", sizeof(kscope_creds),
                  {{"uid", offsetof(kscope_creds, uid)},
                   {"euid", offsetof(kscope_creds, euid)},
                   {"suid", offsetof(kscope_creds, suid)},
                   {"fsuid", offsetof(kscope_creds, fsuid)},
                   {"gid", offsetof(kscope_creds, gid)},
                   {"egid", offsetof(kscope_creds, egid)},
                   {"sgid", offsetof(kscope_creds, sgid)},
                   {"fsgid", offsetof(kscope_creds, fsgid)},
                   {"cap_effective", offsetof(kscope_creds, cap_effective)},
                   {"cap_permitted", offsetof(kscope_creds, cap_permitted)}});
    expect_layout("privilege.bpf.o", "kscope_privilege_event", sizeof(kscope_privilege_event),
                  {{"hdr", offsetof(kscope_privilege_event, hdr)},
                   {"ret", offsetof(kscope_privilege_event, ret)},
                   {"old_creds", offsetof(kscope_privilege_event, old_creds)},
                   {"new_creds", offsetof(kscope_privilege_event, new_creds)},
                   {"syscall", offsetof(kscope_privilege_event, syscall)}});
    expect_layout("privilege.bpf.o", "kscope_ptrace_event", sizeof(kscope_ptrace_event),
                  {{"ret", offsetof(kscope_ptrace_event, ret)},
                   {"request", offsetof(kscope_ptrace_event, request)},
                   {"bytes", offsetof(kscope_ptrace_event, bytes)},
                   {"target_pid", offsetof(kscope_ptrace_event, target_pid)},
                   {"syscall", offsetof(kscope_ptrace_event, syscall)},
                   {"flags", offsetof(kscope_ptrace_event, flags)},
                   {"target_comm", offsetof(kscope_ptrace_event, target_comm)}});
    expect_layout("privilege.bpf.o", "kscope_module_load_event", sizeof(kscope_module_load_event),
                  {{"ret", offsetof(kscope_module_load_event, ret)},
                   {"syscall", offsetof(kscope_module_load_event, syscall)},
                   {"flags", offsetof(kscope_module_load_event, flags)},
                   {"path_len", offsetof(kscope_module_load_event, path_len)},
                   {"params_len", offsetof(kscope_module_load_event, params_len)},
                   {"name", offsetof(kscope_module_load_event, name)}});
    expect_layout("privilege.bpf.o", "kscope_bpf_event", sizeof(kscope_bpf_event),
                  {{"ret", offsetof(kscope_bpf_event, ret)},
                   {"command", offsetof(kscope_bpf_event, command)},
                   {"object_type", offsetof(kscope_bpf_event, object_type)},
                   {"name", offsetof(kscope_bpf_event, name)}});
    expect_layout("privilege.bpf.o", "kscope_perf_event_open_event", sizeof(kscope_perf_event_open_event),
                  {{"ret", offsetof(kscope_perf_event_open_event, ret)},
                   {"config", offsetof(kscope_perf_event_open_event, config)},
                   {"perf_type", offsetof(kscope_perf_event_open_event, perf_type)},
                   {"target_pid", offsetof(kscope_perf_event_open_event, target_pid)},
                   {"cpu", offsetof(kscope_perf_event_open_event, cpu)}});
    expect_layout("privilege.bpf.o", "kscope_userfaultfd_event", sizeof(kscope_userfaultfd_event),
                  {{"ret", offsetof(kscope_userfaultfd_event, ret)},
                   {"flags", offsetof(kscope_userfaultfd_event, flags)}});
}

TEST(AbiLayout, NamespacesEventsMatch) {
    expect_layout("namespaces.bpf.o", "kscope_namespace_event", sizeof(kscope_namespace_event),
                  {{"hdr", offsetof(kscope_namespace_event, hdr)},
                   {"ret", offsetof(kscope_namespace_event, ret)},
                   {"flags", offsetof(kscope_namespace_event, flags)},
                   {"ns_types", offsetof(kscope_namespace_event, ns_types)},
                   {"fd", offsetof(kscope_namespace_event, fd)},
                   {"syscall", offsetof(kscope_namespace_event, syscall)}});
    expect_layout("namespaces.bpf.o", "kscope_mount_event", sizeof(kscope_mount_event),
                  {{"ret", offsetof(kscope_mount_event, ret)},
                   {"flags", offsetof(kscope_mount_event, flags)},
                   {"syscall", offsetof(kscope_mount_event, syscall)},
                   {"read_flags", offsetof(kscope_mount_event, read_flags)},
                   {"source_len", offsetof(kscope_mount_event, source_len)},
                   {"target_len", offsetof(kscope_mount_event, target_len)},
                   {"fstype_len", offsetof(kscope_mount_event, fstype_len)}});
}
}  // namespace
}  // namespace kscope

namespace kscope {
namespace {

// The profiler's tables and keys: user space writes rows and mapping lists the kernel
// walks, and reads the keys and stacks it counts.
TEST(AbiLayout, ProfileStructsMatch) {
    expect_layout("profile.bpf.o", "kscope_unwind_row", sizeof(kscope_unwind_row),
                  {{"pc_offset", offsetof(kscope_unwind_row, pc_offset)},
                   {"cfa_kind", offsetof(kscope_unwind_row, cfa_kind)},
                   {"rbp_rule", offsetof(kscope_unwind_row, rbp_rule)},
                   {"rbp_offset", offsetof(kscope_unwind_row, rbp_offset)},
                   {"cfa_offset", offsetof(kscope_unwind_row, cfa_offset)}});
    expect_layout("profile.bpf.o", "kscope_proc_mappings", sizeof(kscope_proc_mappings),
                  {{"count", offsetof(kscope_proc_mappings, count)}, {"m", offsetof(kscope_proc_mappings, m)}});
    expect_layout("profile.bpf.o", "kscope_exec_mapping", sizeof(kscope_exec_mapping),
                  {{"start", offsetof(kscope_exec_mapping, start)},
                   {"end", offsetof(kscope_exec_mapping, end)},
                   {"table_adjust", offsetof(kscope_exec_mapping, table_adjust)},
                   {"row_begin", offsetof(kscope_exec_mapping, row_begin)},
                   {"row_count", offsetof(kscope_exec_mapping, row_count)}});
    expect_layout("profile.bpf.o", "kscope_profile_key", sizeof(kscope_profile_key),
                  {{"pid", offsetof(kscope_profile_key, pid)},
                   {"kernel_stack", offsetof(kscope_profile_key, kernel_stack)},
                   {"user_stack", offsetof(kscope_profile_key, user_stack)},
                   {"comm", offsetof(kscope_profile_key, comm)}});
    expect_layout("profile.bpf.o", "kscope_user_stack", sizeof(kscope_user_stack),
                  {{"len", offsetof(kscope_user_stack, len)}, {"pc", offsetof(kscope_user_stack, pc)}});
    expect_layout("profile.bpf.o", "kscope_profile_need_maps", sizeof(kscope_profile_need_maps),
                  {{"h", offsetof(kscope_profile_need_maps, h)}, {"pc", offsetof(kscope_profile_need_maps, pc)}});
}

}  // namespace
}  // namespace kscope
