// Decoders of the namespaces probe's events (include/kscope/abi/namespaces.h). Pure, so
// tests feed them synthetic structs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "events/decode.h"

namespace kscope {

Result<NamespaceEvent> decode_namespace(RawEvent raw, const DecodeContext& ctx);
Result<MountEvent> decode_mount(RawEvent raw, const DecodeContext& ctx);

// The namespaces named by CLONE_NEW* bits, in this order: mnt, uts, ipc, user, pid,
// net, cgroup, time.
std::vector<std::string> namespace_names(uint64_t clone_flags);
// "unshare" for KSCOPE_NS_UNSHARE (enum kscope_namespace_syscall); "" if out of range.
const char* namespace_syscall_name(uint16_t syscall);

}  // namespace kscope
