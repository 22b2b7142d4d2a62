#include "probes/socket_probe.h"

#include "bpf/map_iter.h"
#include "events/decode_socket.h"
#include "kscope/abi/socket.h"
#include "probes/syscall_programs.h"
#include "socket.skel.h"

namespace kscope {
namespace {

// Indexed by enum kscope_socket_syscall.
constexpr const char* kSyscalls[KSCOPE_SOCK_SYSCALLS] = {"socket", "bind", "listen"};

uint64_t calls_counted(const std::optional<BpfObject>& obj, uint32_t syscall) {
    auto fd = obj ? obj->map_fd("calls") : Result<int>(Error{"not loaded"});
    return fd ? percpu_sum(*fd, syscall) : 0;
}

}  // namespace

std::span<const uint8_t> SocketProbe::elf() const { return skeleton_elf(socket_bpf__elf_bytes); }

Result<void> SocketProbe::configure(BpfObject& obj) { return configure_syscall_programs(obj, kSyscalls); }

Result<Event> SocketProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    return as_event(decode_socket(raw, ctx));
}

void SocketProbe::append_metrics(PrometheusText& m) {
    if (!obj_)
        return;
    m.family("kscope_socket_events_total", "counter", "socket(), bind() and listen() calls by syscall");
    for (uint32_t s = 0; s < KSCOPE_SOCK_SYSCALLS; s++)
        m.sample("kscope_socket_events_total", {{"syscall", kSyscalls[s]}}, double(calls_counted(obj_, s)));
}

std::string SocketProbe::counters_text() const {
    std::string text = "socket: calls";
    for (uint32_t s = 0; s < KSCOPE_SOCK_SYSCALLS; s++)
        text += std::string(" ") + kSyscalls[s] + "=" + std::to_string(calls_counted(obj_, s));
    return text;
}

}  // namespace kscope
