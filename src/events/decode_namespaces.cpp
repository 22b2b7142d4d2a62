#include "events/decode_namespaces.h"

#include <linux/sched.h>

#include <cstring>
#include <utility>

#include "kscope/abi/namespaces.h"

namespace kscope {

const char* namespace_syscall_name(uint16_t syscall) {
    static const char* const names[KSCOPE_NS_SYSCALLS] = {"unshare", "setns", "clone",      "clone3",
                                                          "mount",   "umount", "pivot_root", "chroot"};
    return syscall < KSCOPE_NS_SYSCALLS ? names[syscall] : "";
}

std::vector<std::string> namespace_names(uint64_t clone_flags) {
    static const std::pair<uint64_t, const char*> kinds[] = {
        {CLONE_NEWNS, "mnt"},   {CLONE_NEWUTS, "uts"}, {CLONE_NEWIPC, "ipc"},       {CLONE_NEWUSER, "user"},
        {CLONE_NEWPID, "pid"},  {CLONE_NEWNET, "net"}, {CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWTIME, "time"},
    };
    std::vector<std::string> out;
    for (const auto& [bit, name] : kinds)
        if (clone_flags & bit)
            out.emplace_back(name);
    return out;
}

Result<NamespaceEvent> decode_namespace(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_NAMESPACE, sizeof(kscope_namespace_event), ctx);
    if (!common)
        return common.error().context("namespace event");
    kscope_namespace_event e;
    std::memcpy(&e, raw.data(), sizeof(e));
    if (e.syscall > KSCOPE_NS_CLONE3)
        return Error{"namespace event: syscall " + std::to_string(e.syscall) + " is not a namespace change"};
    NamespaceEvent out;
    out.common = std::move(common.value());
    out.syscall = namespace_syscall_name(e.syscall);
    out.namespaces = namespace_names(e.ns_types);
    out.flags = e.flags;
    out.fd = e.fd;
    out.ret = e.ret;
    return out;
}

Result<MountEvent> decode_mount(RawEvent raw, const DecodeContext& ctx) {
    auto common = decode_header(raw, KSCOPE_EVENT_MOUNT, sizeof(kscope_mount_event), ctx);
    if (!common)
        return common.error().context("mount event");
    kscope_mount_event e;
    std::memcpy(&e, raw.data(), sizeof(e));
    if (e.syscall < KSCOPE_NS_MOUNT || e.syscall >= KSCOPE_NS_SYSCALLS)
        return Error{"mount event: syscall " + std::to_string(e.syscall) + " is not a mount call"};
    const size_t data_len = size_t(e.source_len) + e.target_len + e.fstype_len;
    if (sizeof(e) + data_len > raw.size())
        return Error{"mount event: strings (" + std::to_string(data_len) + " bytes) run past its " +
                     std::to_string(raw.size()) + " bytes"};
    const char* data = reinterpret_cast<const char*>(raw.data()) + sizeof(e);
    MountEvent out;
    out.common = std::move(common.value());
    out.syscall = namespace_syscall_name(e.syscall);
    out.source.assign(data, e.source_len);
    out.target.assign(data + e.source_len, e.target_len);
    out.fstype.assign(data + e.source_len + e.target_len, e.fstype_len);
    out.flags = e.flags;
    out.ret = e.ret;
    return out;
}

}  // namespace kscope
