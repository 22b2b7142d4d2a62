#include "probes/tcptop_probe.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "bpf/map_iter.h"
#include "events/ip_address.h"
#include "kscope/abi/tcptop.h"
#include "tcptop.skel.h"

namespace kscope {
std::span<const uint8_t> TcptopProbe::elf() const { return skeleton_elf(tcptop_bpf__elf_bytes); }

Result<FlowSnapshot> TcptopProbe::snapshot() {
    if (!obj_)
        return Error{"probe tcptop is not loaded"};
    auto flows = obj_->map_fd("flows");
    if (!flows)
        return flows.error();
    FlowSnapshot snap;
    for_each_percpu_entry<kscope_flow_key, kscope_flow_bytes>(
        *flows, libbpf_num_possible_cpus(), [&](const kscope_flow_key& k, const std::vector<kscope_flow_bytes>& per_cpu) {
            FlowCounters& c = snap[FlowKey{k.pid, ip_address_text(k.family, k.saddr), ip_address_text(k.family, k.daddr), k.sport,
                                           k.dport}];
            for (const auto& v : per_cpu) {
                if (c.comm.empty() && v.comm[0])
                    c.comm.assign(v.comm, strnlen(v.comm, sizeof(v.comm)));
                c.tx_bytes += v.tx_bytes;
                c.rx_bytes += v.rx_bytes;
            }
        });
    return snap;
}

void TcptopProbe::forget_exited(FlowSnapshot& snap) {
    auto flows = obj_ ? obj_->map_fd("flows") : Result<int>(Error{""});
    if (!flows)
        return;
    // The kernel's keys carry raw addresses: walk them and drop those of dead processes.
    std::vector<kscope_flow_key> gone;
    for_each_percpu_entry<kscope_flow_key, kscope_flow_bytes>(
        *flows, libbpf_num_possible_cpus(), [&](const kscope_flow_key& k, const std::vector<kscope_flow_bytes>&) {
            if (process_exited(k.pid))
                gone.push_back(k);
        });
    for (const auto& k : gone) {
        bpf_map_delete_elem(*flows, &k);
        snap.erase(FlowKey{k.pid, ip_address_text(k.family, k.saddr), ip_address_text(k.family, k.daddr), k.sport, k.dport});
    }
}

}  // namespace kscope
