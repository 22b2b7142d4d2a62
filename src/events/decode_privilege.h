// Decoders of the privilege probe's events (include/kscope/abi/privilege.h). Pure: what
// they need from the running system comes in as arguments, so tests feed them
// synthetic structs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "events/bpf_type_names.h"
#include "events/decode.h"

namespace kscope {

// A process's command name by pid, "" when there is none (the ptrace target's comm when
// the kernel could not read it).
using CommLookup = std::function<std::string(uint32_t pid)>;

Result<PrivilegeEvent> decode_privilege(RawEvent raw, const DecodeContext& ctx);
// lookup is asked only when the kernel did not find the target and the caller's pids are
// the initial namespace's (those /proc names).
Result<PtraceEvent> decode_ptrace(RawEvent raw, const DecodeContext& ctx, const CommLookup& lookup = {});
Result<ModuleLoadEvent> decode_module_load(RawEvent raw, const DecodeContext& ctx);
Result<BpfEvent> decode_bpf(RawEvent raw, const DecodeContext& ctx, const BpfTypeNames& names);
Result<PerfEventOpenEvent> decode_perf_event_open(RawEvent raw, const DecodeContext& ctx);
Result<UserfaultfdEvent> decode_userfaultfd(RawEvent raw, const DecodeContext& ctx);

// "PTRACE_ATTACH" for 16; the number for a request this kscope does not name.
std::string ptrace_request_name(int64_t request);
// "setuid" for KSCOPE_PRIV_SETUID (enum kscope_privilege_syscall); "" if out of range.
const char* privilege_syscall_name(uint16_t syscall);

}  // namespace kscope
