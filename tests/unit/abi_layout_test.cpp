// The BPF and C++ halves share include/kscope/abi; this checks that the layout the BPF
// compiler produced (BTF in the .bpf.o) matches what the C++ compiler sees.
#include <bpf/btf.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <string>

#include "kscope/abi/exec.h"
#include "kscope/abi/exit.h"
#include "kscope/abi/open.h"
#include "kscope/abi/syscalls.h"

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
                   {"start_boot_ns", offsetof(kscope_exec_event, start_boot_ns)}});
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

}  // namespace
}  // namespace kscope
