// The security probes' decoders (filechange, memfd_create, socket) and the exec event's
// security context, fed synthetic raw events laid out as the BPF side writes them.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <cstring>
#include <string>
#include <vector>

#include "events/decode.h"
#include "events/decode_filechange.h"
#include "events/decode_socket.h"
#include "kscope/abi/exec.h"
#include "kscope/abi/filechange.h"
#include "kscope/abi/socket.h"

namespace kscope {
namespace {

kscope_event_header header(uint16_t type) {
    kscope_event_header h{};
    h.ts_ns = 2000;
    h.cgroup_id = 5;
    h.pid = 300;
    h.tid = 301;
    h.ppid = 299;
    h.uid = 1000;
    h.gid = 1001;
    h.type = type;
    std::strncpy(h.comm, "sh", sizeof h.comm);
    return h;
}

// A fixed part followed by its variable parts, with hdr.size set.
template <typename E>
std::vector<std::byte> with_tail(E e, const std::vector<std::string>& parts) {
    size_t tail = 0;
    for (const auto& p : parts)
        tail += p.size();
    e.hdr.size = sizeof(e) + tail;
    std::vector<std::byte> raw(e.hdr.size);
    std::memcpy(raw.data(), &e, sizeof e);
    size_t at = sizeof e;
    for (const auto& p : parts) {
        std::memcpy(raw.data() + at, p.data(), p.size());
        at += p.size();
    }
    return raw;
}

struct Name {
    std::string name, base;
    uint16_t flags = 0;
};

std::vector<std::byte> change_raw(uint16_t syscall, const Name& path, const Name& new_path = {}, uint32_t mode = 0,
                                  uint32_t uid = UINT32_MAX, uint32_t gid = UINT32_MAX, int32_t fd = -1,
                                  int64_t ret = 0) {
    kscope_filechange_event e{};
    e.hdr = header(KSCOPE_EVENT_FILE_CHANGE);
    e.ret = ret;
    e.mode = mode;
    e.owner_uid = uid;
    e.owner_gid = gid;
    e.fd = fd;
    e.syscall = syscall;
    e.flags = path.flags | (new_path.flags << KSCOPE_FC_NEW_NAME_SHIFT);
    e.path_len = path.name.size();
    e.base_len = path.base.size();
    e.new_path_len = new_path.name.size();
    e.new_base_len = new_path.base.size();
    return with_tail(e, {path.name, path.base, new_path.name, new_path.base});
}

TEST(DecodeFileChange, ChmodOfARelativePathWithSetuid) {
    auto e = decode_file_change(
        change_raw(KSCOPE_FC_CHMOD, {"bin/tool", "/home/u", KSCOPE_FC_BASE_RESOLVED}, {}, 04755), {.boot_to_epoch_ns = 7});
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->syscall, std::string("chmod"));
    EXPECT_EQ(e->path, "bin/tool");
    EXPECT_EQ(e->resolved_path, "/home/u/bin/tool");
    EXPECT_EQ(e->new_path, "");
    EXPECT_EQ(e->resolved_new_path, "");
    EXPECT_EQ(e->mode, 04755u);
    EXPECT_EQ(e->mode_bits, (std::vector<std::string>{"S_ISUID"}));
    EXPECT_EQ(e->owner_uid, -1);
    EXPECT_EQ(e->owner_gid, -1);
    EXPECT_EQ(e->fd, -1);
    EXPECT_EQ(e->ret, 0);
    EXPECT_EQ(e->common.ts_ns, 2007u);
    EXPECT_EQ(e->common.pid, 300u);
    EXPECT_EQ(e->common.tid, 301u);
    EXPECT_EQ(e->common.ppid, 299u);
    EXPECT_EQ(e->common.uid, 1000u);
    EXPECT_EQ(e->common.gid, 1001u);
    EXPECT_EQ(e->common.comm, "sh");
    EXPECT_EQ(e->common.cgroup_id, 5u);
}

TEST(DecodeFileChange, NamesEverySpecialModeBit) {
    auto e = decode_file_change(change_raw(KSCOPE_FC_FCHMODAT, {"/x", "", 0}, {}, 07777), {});
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->mode_bits, (std::vector<std::string>{"S_ISUID", "S_ISGID", "S_ISVTX"}));
    EXPECT_EQ(decode_file_change(change_raw(KSCOPE_FC_CHMOD, {"/x", "", 0}, {}, 0644), {})->mode_bits.size(), 0u);
}

TEST(DecodeFileChange, FchmodAndFchownNameTheFdsFile) {
    auto e = decode_file_change(
        change_raw(KSCOPE_FC_FCHOWN, {"", "/tmp/f", KSCOPE_FC_BASE_IS_FILE}, {}, 0, 1234, 5678, 3), {});
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->syscall, std::string("fchown"));
    EXPECT_EQ(e->path, "/tmp/f");
    EXPECT_EQ(e->resolved_path, "/tmp/f");
    EXPECT_EQ(e->owner_uid, 1234);
    EXPECT_EQ(e->owner_gid, 5678);
    EXPECT_EQ(e->fd, 3);
    auto bad = decode_file_change(change_raw(KSCOPE_FC_FCHMOD, {"", "", KSCOPE_FC_BASE_BAD_FD}, {}, 0600, UINT32_MAX,
                                             UINT32_MAX, 99, -9),
                                  {});
    EXPECT_EQ(bad->path, "");
    EXPECT_EQ(bad->resolved_path, "");
    EXPECT_EQ(bad->ret, -9);
    EXPECT_EQ(bad->fd, 99);
}

TEST(DecodeFileChange, RenameResolvesBothNames) {
    auto e = decode_file_change(change_raw(KSCOPE_FC_RENAMEAT2, {"a", "/d1", KSCOPE_FC_BASE_RESOLVED},
                                           {"../d2/b", "/d1/sub", KSCOPE_FC_BASE_RESOLVED}),
                                {});
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->syscall, std::string("renameat2"));
    EXPECT_EQ(e->path, "a");
    EXPECT_EQ(e->resolved_path, "/d1/a");
    EXPECT_EQ(e->new_path, "../d2/b");
    EXPECT_EQ(e->resolved_new_path, "/d1/d2/b");
}

TEST(DecodeFileChange, SymlinkTargetIsTextNotResolved) {
    auto e = decode_file_change(change_raw(KSCOPE_FC_SYMLINK, {"/etc/shadow", "", 0}, {"l", "/tmp", KSCOPE_FC_BASE_RESOLVED}),
                                {});
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(e->path, "/etc/shadow");
    EXPECT_EQ(e->resolved_path, "");
    EXPECT_EQ(e->new_path, "l");
    EXPECT_EQ(e->resolved_new_path, "/tmp/l");
}

TEST(DecodeFileChange, UnresolvedNamesStayEmpty) {
    for (uint16_t why : {KSCOPE_FC_BASE_INCOMPLETE, KSCOPE_FC_BASE_BAD_FD, KSCOPE_FC_NAME_UNREADABLE}) {
        auto e = decode_file_change(change_raw(KSCOPE_FC_UNLINKAT, {"x", "", why}, {}, 0, UINT32_MAX, UINT32_MAX, -1, -2), {});
        ASSERT_TRUE(e.ok());
        EXPECT_EQ(e->resolved_path, "") << why;
        EXPECT_EQ(e->ret, -2);
    }
    auto abs = decode_file_change(change_raw(KSCOPE_FC_UNLINK, {"/a//b/../c", "", 0}), {});
    EXPECT_EQ(abs->path, "/a//b/../c");
    EXPECT_EQ(abs->resolved_path, "/a/c");
}

TEST(DecodeFileChange, EverySyscallHasItsName) {
    const std::vector<std::string> names = {"chmod",  "fchmod",    "fchmodat", "fchmodat2", "chown",   "fchown",
                                            "lchown", "fchownat",  "unlink",   "unlinkat",  "rename",  "renameat",
                                            "renameat2", "link",   "linkat",   "symlink",   "symlinkat", "memfd_create"};
    ASSERT_EQ(names.size(), size_t(KSCOPE_FC_SYSCALLS));
    for (uint16_t s = 0; s < KSCOPE_FC_SYSCALLS; s++)
        EXPECT_EQ(filechange_syscall_name(s), names[s]);
    EXPECT_EQ(filechange_syscall_name(KSCOPE_FC_SYSCALLS), std::string("unknown"));
    EXPECT_FALSE(decode_file_change(change_raw(KSCOPE_FC_SYSCALLS, {"/x"}), {}).ok());
}

TEST(DecodeFileChange, RejectsLengthsPastTheEnd) {
    auto raw = change_raw(KSCOPE_FC_LINK, {"a", "/b", KSCOPE_FC_BASE_RESOLVED}, {"c", "/d", KSCOPE_FC_BASE_RESOLVED});
    reinterpret_cast<kscope_filechange_event*>(raw.data())->new_base_len = 3;
    auto r = decode_file_change(raw, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "file_change event: paths run past the event's end");
}

TEST(DecodeMemfdCreate, NameFlagsAndFd) {
    kscope_memfd_event e{};
    e.hdr = header(KSCOPE_EVENT_MEMFD_CREATE);
    e.ret = 4;
    e.mfd_flags = MFD_CLOEXEC;
    e.name_len = 11;
    auto d = decode_memfd_create(with_tail(e, {"kscope-test"}), {});
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->name, "kscope-test");
    EXPECT_EQ(d->flags, unsigned(MFD_CLOEXEC));
    EXPECT_EQ(d->ret, 4);
    EXPECT_EQ(d->common.pid, 300u);
    e.name_len = 12;
    EXPECT_FALSE(decode_memfd_create(with_tail(e, {"kscope-test"}), {}).ok());
}

std::vector<std::byte> socket_raw(uint16_t syscall, uint16_t family, uint16_t type, const std::string& path = "",
                                  uint16_t flags = 0) {
    kscope_socket_event e{};
    e.hdr = header(KSCOPE_EVENT_SOCKET);
    e.syscall = syscall;
    e.family = family;
    e.sock_type = type;
    e.flags = flags;
    e.fd = syscall == KSCOPE_SOCK_SOCKET ? -1 : 5;
    e.ret = syscall == KSCOPE_SOCK_SOCKET ? 5 : 0;
    e.path_len = path.size();
    return with_tail(e, {path});
}

TEST(DecodeSocket, SocketCallNamesFamilyAndType) {
    auto raw = socket_raw(KSCOPE_SOCK_SOCKET, AF_PACKET, SOCK_RAW);
    reinterpret_cast<kscope_socket_event*>(raw.data())->protocol = 768;
    auto e = decode_socket(raw, {});
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->syscall, std::string("socket"));
    EXPECT_EQ(e->family, "packet");
    EXPECT_EQ(e->sock_type, "raw");
    EXPECT_EQ(e->protocol, 768);
    EXPECT_EQ(e->addr, "");  // socket() has no address yet
    EXPECT_EQ(e->port, 0);
    EXPECT_EQ(e->fd, -1);
    EXPECT_EQ(e->ret, 5);
}

TEST(DecodeSocket, Names) {
    EXPECT_EQ(socket_family_name(AF_INET), "ipv4");
    EXPECT_EQ(socket_family_name(AF_INET6), "ipv6");
    EXPECT_EQ(socket_family_name(AF_UNIX), "unix");
    EXPECT_EQ(socket_family_name(AF_NETLINK), "netlink");
    EXPECT_EQ(socket_family_name(AF_PACKET), "packet");
    EXPECT_EQ(socket_family_name(AF_BLUETOOTH), "31");
    EXPECT_EQ(socket_type_name(SOCK_STREAM), "stream");
    EXPECT_EQ(socket_type_name(SOCK_DGRAM), "dgram");
    EXPECT_EQ(socket_type_name(SOCK_SEQPACKET), "seqpacket");
    EXPECT_EQ(socket_type_name(SOCK_RDM), "4");
}

TEST(DecodeSocket, ListenCarriesAddressPortAndBacklog) {
    auto raw = socket_raw(KSCOPE_SOCK_LISTEN, AF_INET, SOCK_STREAM);
    auto* e = reinterpret_cast<kscope_socket_event*>(raw.data());
    inet_pton(AF_INET, "127.0.0.1", e->addr);
    e->port = 8080;
    e->backlog = 7;
    e->protocol = 6;
    auto d = decode_socket(raw, {});
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->syscall, std::string("listen"));
    EXPECT_EQ(d->addr, "127.0.0.1");
    EXPECT_EQ(d->port, 8080);
    EXPECT_EQ(d->backlog, 7);
    EXPECT_EQ(d->fd, 5);
    EXPECT_EQ(d->sock_type, "stream");

    auto raw6 = socket_raw(KSCOPE_SOCK_BIND, AF_INET6, SOCK_DGRAM);
    auto* e6 = reinterpret_cast<kscope_socket_event*>(raw6.data());
    inet_pton(AF_INET6, "::1", e6->addr);
    e6->port = 53;
    auto d6 = decode_socket(raw6, {});
    EXPECT_EQ(d6->addr, "::1");
    EXPECT_EQ(d6->port, 53);
    EXPECT_EQ(d6->family, "ipv6");
}

TEST(DecodeSocket, UnixPathsAndAbstractNames) {
    using namespace std::string_literals;
    EXPECT_EQ(decode_socket(socket_raw(KSCOPE_SOCK_BIND, AF_UNIX, SOCK_STREAM, "/run/x.sock\0junk"s), {})->addr,
              "/run/x.sock");
    EXPECT_EQ(decode_socket(socket_raw(KSCOPE_SOCK_LISTEN, AF_UNIX, SOCK_STREAM, "\0abstract"s), {})->addr, "@abstract");
}

TEST(DecodeSocket, UnreadableAddressAndNotASocket) {
    auto unreadable = decode_socket(socket_raw(KSCOPE_SOCK_BIND, AF_INET, SOCK_STREAM, "", KSCOPE_SOCK_ADDR_UNREADABLE), {});
    EXPECT_EQ(unreadable->addr, "");
    auto not_socket = decode_socket(socket_raw(KSCOPE_SOCK_LISTEN, 0, 0, "", KSCOPE_SOCK_NOT_SOCKET), {});
    ASSERT_TRUE(not_socket.ok());
    EXPECT_EQ(not_socket->family, "");
    EXPECT_EQ(not_socket->sock_type, "");
    EXPECT_FALSE(decode_socket(socket_raw(KSCOPE_SOCK_SYSCALLS, AF_INET, SOCK_STREAM), {}).ok());
}

std::vector<std::byte> exec_raw(uint32_t flags, const std::string& cwd) {
    using namespace std::string_literals;
    kscope_exec_event e{};
    e.hdr = header(KSCOPE_EVENT_EXEC);
    e.flags = flags;
    const std::string filename = "/tmp/id", args = "id\0-u\0"s;
    e.filename_len = filename.size();
    e.args_len = args.size();
    e.cwd_len = cwd.size();
    e.exe_inode = 123456;
    e.old_uid = 1000;
    e.old_euid = 1000;
    e.new_uid = 1000;
    e.new_euid = 0;
    e.tty = 34816;  // /dev/pts/0
    e.loginuid = 1000;
    e.fd_type[0] = KSCOPE_FD_IPV4;
    e.fd_type[1] = KSCOPE_FD_PIPE;
    e.fd_type[2] = KSCOPE_FD_CLOSED;
    return with_tail(e, {filename, args, cwd});
}

TEST(DecodeExecContext, EveryField) {
    auto e = decode_exec(exec_raw(KSCOPE_EXEC_CONTEXT | KSCOPE_EXEC_PRIVILEGED | KSCOPE_EXEC_EXE_DELETED |
                                      KSCOPE_EXEC_CWD_RESOLVED,
                                  "/home/u"),
                         {});
    ASSERT_TRUE(e.ok()) << e.error().message;
    EXPECT_EQ(e->argv, (std::vector<std::string>{"id", "-u"}));
    EXPECT_TRUE(e->privileged_exec);
    EXPECT_EQ(e->old_uid, 1000u);
    EXPECT_EQ(e->old_euid, 1000u);
    EXPECT_EQ(e->new_uid, 1000u);
    EXPECT_EQ(e->new_euid, 0u);
    EXPECT_EQ(e->stdin_type, std::string("ipv4"));
    EXPECT_EQ(e->stdout_type, std::string("pipe"));
    EXPECT_EQ(e->stderr_type, std::string(""));
    EXPECT_FALSE(e->exe_memfd);
    EXPECT_TRUE(e->exe_deleted);
    EXPECT_EQ(e->exe_inode, 123456u);
    EXPECT_EQ(e->tty, 34816u);
    EXPECT_EQ(e->loginuid, 1000u);
    EXPECT_EQ(e->cwd, "/home/u");
}

TEST(DecodeExecContext, FdTypeNames) {
    const std::vector<std::pair<uint8_t, std::string>> types = {
        {KSCOPE_FD_FILE, "file"},       {KSCOPE_FD_DIRECTORY, "directory"}, {KSCOPE_FD_PIPE, "pipe"},
        {KSCOPE_FD_CHAR, "char"},       {KSCOPE_FD_BLOCK, "block"},         {KSCOPE_FD_IPV4, "ipv4"},
        {KSCOPE_FD_IPV6, "ipv6"},       {KSCOPE_FD_UNIX, "unix"},           {KSCOPE_FD_NETLINK, "netlink"},
        {KSCOPE_FD_PACKET, "packet"},   {KSCOPE_FD_SOCKET, "socket"},       {KSCOPE_FD_OTHER, "other"},
        {KSCOPE_FD_CLOSED, ""},
    };
    for (const auto& [type, name] : types) {
        auto raw = exec_raw(KSCOPE_EXEC_CONTEXT | KSCOPE_EXEC_EXE_MEMFD, "");
        reinterpret_cast<kscope_exec_event*>(raw.data())->fd_type[2] = type;
        auto e = decode_exec(raw, {});
        ASSERT_TRUE(e.ok());
        EXPECT_EQ(e->stderr_type, name) << int(type);
        EXPECT_TRUE(e->exe_memfd);
        EXPECT_EQ(e->cwd, "");  // not resolved
    }
}

TEST(DecodeExecContext, WithoutContextTheDefaultsStay) {
    auto e = decode_exec(exec_raw(KSCOPE_EXEC_PRIVILEGED, ""), {});  // context bit clear: a failed exec
    ASSERT_TRUE(e.ok());
    EXPECT_FALSE(e->privileged_exec);
    EXPECT_EQ(e->new_euid, 0u);
    EXPECT_EQ(e->old_uid, 0u);
    EXPECT_EQ(e->stdin_type, std::string(""));
    EXPECT_EQ(e->loginuid, UINT32_MAX);
    EXPECT_EQ(e->tty, 0u);
    EXPECT_EQ(e->exe_inode, 0u);
}

TEST(DecodeExecContext, CwdPastTheEndIsRefused) {
    auto raw = exec_raw(KSCOPE_EXEC_CONTEXT | KSCOPE_EXEC_CWD_RESOLVED, "/x");
    reinterpret_cast<kscope_exec_event*>(raw.data())->cwd_len = 3;
    EXPECT_FALSE(decode_exec(raw, {}).ok());
}

}  // namespace
}  // namespace kscope
