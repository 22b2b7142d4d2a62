#include "probes/block_probes.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "bpf/features.h"
#include "bpf/map_iter.h"
#include "biolat.skel.h"
#include "biotop.skel.h"
#include "kscope/abi/block.h"

namespace kscope {

bool kernel_has_block_io_start() {
    static const bool has = access((std::string(kTracefs) + "/events/block/block_io_start").c_str(), F_OK) == 0;
    return has;
}

namespace {

// submitter: remember who submitted each request. Then the block_io_start program is
// loaded where the kernel has the hook, and the other hooks only fill in the times of
// the requests it saw.
Result<void> configure_submitter(BpfObject& obj, const char* program, bool submitter) {
    const bool use = submitter && kernel_has_block_io_start();
    if (auto r = obj.set_autoload(program, use); !r)
        return r;
    if (auto r = obj.set_const<bool>("rq_track_submitter", submitter); !r)
        return r;
    return obj.set_const<bool>("rq_from_start", use);
}

std::string disk_name(const char* name, uint32_t dev) {
    if (name[0])
        return std::string(name, strnlen(name, KSCOPE_DISK_NAME_LEN));
    return std::to_string(dev >> 20) + ":" + std::to_string(dev & 0xfffff);
}

}  // namespace

std::span<const uint8_t> BiolatProbe::elf() const { return skeleton_elf(biolat_bpf__elf_bytes); }

Result<void> BiolatProbe::configure(BpfObject& obj) {
    // The submitter matters only to the filters; without them the two hooks per request
    // (issue, complete) are the cheapest path.
    const FilterSpec& f = options_.filter;
    const bool filtered = !f.pids.empty() || !f.comms.empty() || f.cgroup.has_value();
    return configure_submitter(obj, "ks_bio_start", filtered);
}

Result<BlockLatencySnapshot> BiolatProbe::snapshot() {
    auto stats = percpu_map("stats");
    if (!stats)
        return stats.error();
    if (auto r = epoch_.advance(*obj_, name()); !r)
        return r.error();
    BlockLatencySnapshot snap;
    for_each_percpu_entry<kscope_biolat_key, kscope_biolat_stats>(
        stats->fd, stats->ncpus, [&](const kscope_biolat_key& k, const std::vector<kscope_biolat_stats>& per_cpu) {
            BlockLatencyCounters& c = snap[BlockLatencyKey{k.dev, k.op}];
            for (const auto& v : per_cpu) {
                if (c.disk.empty() && v.disk[0])
                    c.disk = disk_name(v.disk, k.dev);
                c.bytes += v.bytes;
                c.total.add_cpu(v.total, epoch_.ended(), epoch_.current());
                c.queue.add_cpu(v.queue, epoch_.ended(), epoch_.current());
                c.device.add_cpu(v.device, epoch_.ended(), epoch_.current());
            }
            if (c.disk.empty())
                c.disk = disk_name("", k.dev);
        });
    return snap;
}

void BiolatProbe::append_metrics(PrometheusText& m) {
    auto snap = snapshot();
    if (!snap)
        return;
    m.family("kscope_block_io_latency_seconds", "histogram",
             "block I/O latency from the request's creation to its completion, by disk and operation");
    for (const auto& [key, c] : *snap)
        m.log2_histogram("kscope_block_io_latency_seconds", {{"disk", c.disk}, {"op", block_op_name(key.op)}},
                         c.total.slots, c.total.sum_ns);
    m.family("kscope_block_io_bytes_total", "counter", "bytes of block I/O completed, by disk and operation");
    for (const auto& [key, c] : *snap)
        m.sample("kscope_block_io_bytes_total", {{"disk", c.disk}, {"op", block_op_name(key.op)}}, double(c.bytes));
}

std::span<const uint8_t> BiotopProbe::elf() const { return skeleton_elf(biotop_bpf__elf_bytes); }

Result<void> BiotopProbe::configure(BpfObject& obj) { return configure_submitter(obj, "ks_biotop_start", true); }

Result<BlockTopSnapshot> BiotopProbe::snapshot() {
    auto stats = percpu_map("stats");
    if (!stats)
        return stats.error();
    BlockTopSnapshot snap;
    for_each_percpu_entry<kscope_biotop_key, kscope_biotop_stats>(
        stats->fd, stats->ncpus, [&](const kscope_biotop_key& k, const std::vector<kscope_biotop_stats>& per_cpu) {
            BlockTopCounters& c = snap[BlockTopKey{k.pid, k.dev}];
            for (const auto& v : per_cpu) {
                if (c.comm.empty() && v.comm[0])
                    c.comm.assign(v.comm, strnlen(v.comm, sizeof(v.comm)));
                if (c.disk.empty() && v.disk[0])
                    c.disk = disk_name(v.disk, k.dev);
                for (size_t op = 0; op < c.ops.size(); op++) {
                    c.ops[op] += v.ops[op];
                    c.bytes[op] += v.bytes[op];
                }
                c.total_ns += v.total_ns;
            }
            if (c.disk.empty())
                c.disk = disk_name("", k.dev);
        });
    return snap;
}

void BiotopProbe::forget_exited(BlockTopSnapshot& snap) {
    if (!obj_)
        return;
    auto fd = obj_->map_fd("stats");
    if (!fd)
        return;
    for (auto it = snap.begin(); it != snap.end();) {
        const uint32_t pid = it->first.pid;
        if (!process_exited(pid)) {
            ++it;
            continue;
        }
        kscope_biotop_key k{pid, it->first.dev};
        bpf_map_delete_elem(*fd, &k);
        it = snap.erase(it);
    }
}

}  // namespace kscope
