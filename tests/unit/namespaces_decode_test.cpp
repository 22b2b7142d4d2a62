// The namespaces probe's decoders fed synthetic raw events laid out as the BPF side does.
#include <gtest/gtest.h>
#include <linux/sched.h>

#include <cstring>
#include <string>
#include <vector>

#include "events/decode_namespaces.h"
#include "raw_event_util.h"
#include "kscope/abi/namespaces.h"

namespace kscope {
namespace {

using test::bytes_of;
using test::expect_common;
using test::header;
using test::kCtx;

TEST(DecodeNamespace, UnshareNamesItsNamespacesInBitOrder) {
    kscope_namespace_event e{};
    e.hdr = header(KSCOPE_EVENT_NAMESPACE, sizeof e);
    e.ret = 0;
    e.flags = CLONE_NEWNET | CLONE_NEWUTS | CLONE_FS;
    e.ns_types = CLONE_NEWNET | CLONE_NEWUTS;
    e.fd = -1;
    e.syscall = KSCOPE_NS_UNSHARE;
    auto d = decode_namespace(bytes_of(e), kCtx);
    ASSERT_TRUE(d.ok()) << d.error().message;
    expect_common(d->common);
    EXPECT_STREQ(d->syscall, "unshare");
    EXPECT_EQ(d->namespaces, (std::vector<std::string>{"uts", "net"}));
    EXPECT_EQ(d->flags, uint64_t(CLONE_NEWNET | CLONE_NEWUTS | CLONE_FS));
    EXPECT_EQ(d->fd, -1);
    EXPECT_EQ(d->ret, 0);
}

TEST(DecodeNamespace, SetnsAndClones) {
    kscope_namespace_event e{};
    e.hdr = header(KSCOPE_EVENT_NAMESPACE, sizeof e);
    e.syscall = KSCOPE_NS_SETNS;
    e.flags = 0;
    e.ns_types = CLONE_NEWNS;  // read from the fd in the kernel
    e.fd = 5;
    e.ret = -22;
    auto d = decode_namespace(bytes_of(e), kCtx);
    ASSERT_TRUE(d.ok());
    EXPECT_STREQ(d->syscall, "setns");
    EXPECT_EQ(d->namespaces, (std::vector<std::string>{"mnt"}));
    EXPECT_EQ(d->fd, 5);
    EXPECT_EQ(d->ret, -22);

    e.syscall = KSCOPE_NS_CLONE;
    e.fd = -1;
    e.ns_types = e.flags = CLONE_NEWPID;
    e.ret = 1234;
    d = decode_namespace(bytes_of(e), kCtx);
    ASSERT_TRUE(d.ok());
    EXPECT_STREQ(d->syscall, "clone");
    EXPECT_EQ(d->namespaces, (std::vector<std::string>{"pid"}));
    EXPECT_EQ(d->ret, 1234);

    e.syscall = KSCOPE_NS_CLONE3;
    d = decode_namespace(bytes_of(e), kCtx);
    ASSERT_TRUE(d.ok());
    EXPECT_STREQ(d->syscall, "clone3");

    e.syscall = KSCOPE_NS_MOUNT;
    EXPECT_FALSE(decode_namespace(bytes_of(e), kCtx).ok());
}

TEST(DecodeNamespace, EveryNamespaceName) {
    EXPECT_EQ(namespace_names(CLONE_NEWTIME | CLONE_NEWCGROUP | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWUSER |
                              CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS),
              (std::vector<std::string>{"mnt", "uts", "ipc", "user", "pid", "net", "cgroup", "time"}));
    EXPECT_TRUE(namespace_names(CLONE_VM | CLONE_FILES).empty());
}

TEST(DecodeMount, SplitsSourceTargetAndFstype) {
    const std::string source = "tmpfs", target = "/tmp/x y", fstype = "tmpfs";
    kscope_mount_event e{};
    e.hdr = header(KSCOPE_EVENT_MOUNT, sizeof e + source.size() + target.size() + fstype.size());
    e.ret = 0;
    e.flags = 0x6;  // MS_NOSUID | MS_NODEV
    e.syscall = KSCOPE_NS_MOUNT;
    e.source_len = source.size();
    e.target_len = target.size();
    e.fstype_len = fstype.size();
    auto d = decode_mount(bytes_of(e, source + target + fstype), kCtx);
    ASSERT_TRUE(d.ok()) << d.error().message;
    expect_common(d->common);
    EXPECT_STREQ(d->syscall, "mount");
    EXPECT_EQ(d->source, "tmpfs");
    EXPECT_EQ(d->target, "/tmp/x y");
    EXPECT_EQ(d->fstype, "tmpfs");
    EXPECT_EQ(d->flags, 0x6u);
    EXPECT_EQ(d->ret, 0);
}

TEST(DecodeMount, TargetOnlyCallsAndBadLengths) {
    kscope_mount_event e{};
    e.hdr = header(KSCOPE_EVENT_MOUNT, sizeof e + 4);
    e.ret = -1;
    e.flags = 2;  // MNT_DETACH
    e.syscall = KSCOPE_NS_UMOUNT;
    e.target_len = 4;
    auto d = decode_mount(bytes_of(e, "/mnt"), kCtx);
    ASSERT_TRUE(d.ok());
    EXPECT_STREQ(d->syscall, "umount");
    EXPECT_EQ(d->source, "");
    EXPECT_EQ(d->target, "/mnt");
    EXPECT_EQ(d->fstype, "");
    EXPECT_EQ(d->flags, 2u);
    EXPECT_EQ(d->ret, -1);

    e.syscall = KSCOPE_NS_CHROOT;
    EXPECT_STREQ(decode_mount(bytes_of(e, "/mnt"), kCtx)->syscall, "chroot");
    e.syscall = KSCOPE_NS_PIVOT_ROOT;
    EXPECT_STREQ(decode_mount(bytes_of(e, "/mnt"), kCtx)->syscall, "pivot_root");
    e.syscall = KSCOPE_NS_UNSHARE;
    EXPECT_FALSE(decode_mount(bytes_of(e, "/mnt"), kCtx).ok());
    e.syscall = KSCOPE_NS_CHROOT;
    e.target_len = 40;  // past the event's end
    EXPECT_FALSE(decode_mount(bytes_of(e, "/mnt"), kCtx).ok());
}

}  // namespace
}  // namespace kscope
