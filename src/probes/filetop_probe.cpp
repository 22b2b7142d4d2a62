#include "probes/filetop_probe.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "bpf/features.h"
#include "bpf/map_iter.h"
#include "filetop.skel.h"
#include "kscope/abi/filetop.h"

namespace kscope {
namespace {

const char* type_name(uint32_t t) {
    switch (t) {
    case KSCOPE_FILE_REGULAR: return "regular";
    case KSCOPE_FILE_SOCKET: return "socket";
    case KSCOPE_FILE_PIPE: return "pipe";
    }
    return "other";
}

}  // namespace

std::span<const uint8_t> FiletopProbe::elf() const { return skeleton_elf(filetop_bpf__elf_bytes); }

Result<void> FiletopProbe::configure(BpfObject& obj) {
    // The fd is read from the saved user registers at syscall exit.
    if (!kernel_has_helper(BpfHelper::task_pt_regs))
        return Error{"kscope filetop needs Linux 5.15 or newer (the bpf_task_pt_regs helper)"};
    return obj.set_const<bool>("per_file", per_file_);
}

void FiletopProbe::append_metrics(PrometheusText& m) {
    if (!obj_)
        return;
    auto fd = obj_->map_fd("totals");
    if (!fd)
        return;
    const int ncpus = std::max(libbpf_num_possible_cpus(), 1);
    struct Total {
        std::string type, op;
        double ops = 0, bytes = 0;
    };
    std::vector<Total> totals;
    static const char* kTypes[] = {"other", "regular", "socket", "pipe"};
    for (uint32_t slot = 0; slot < KSCOPE_FILE_TOTAL_SLOTS; slot++) {
        std::vector<kscope_file_io_total> per_cpu(ncpus);
        Total t{kTypes[slot / 2], slot % 2 ? "write" : "read"};
        if (bpf_map_lookup_elem(*fd, &slot, per_cpu.data()) == 0)
            for (const auto& v : per_cpu) {
                t.ops += double(v.ops);
                t.bytes += double(v.bytes);
            }
        totals.push_back(t);
    }
    m.family("kscope_file_io_bytes_total", "counter", "bytes read and written by file type (regular, socket, pipe)");
    for (const auto& t : totals)
        m.sample("kscope_file_io_bytes_total", {{"file_type", t.type}, {"op", t.op}}, t.bytes);
    m.family("kscope_file_io_operations_total", "counter", "read and write calls by file type");
    for (const auto& t : totals)
        m.sample("kscope_file_io_operations_total", {{"file_type", t.type}, {"op", t.op}}, t.ops);
}

Result<FileSnapshot> FiletopProbe::snapshot() {
    if (!obj_)
        return Error{"probe filetop is not loaded"};
    auto io = obj_->map_fd("io");
    auto paths = obj_->map_fd("paths");
    if (!io || !paths)
        return Error{"probe filetop: maps missing"};
    const int ncpus = libbpf_num_possible_cpus();
    if (ncpus <= 0)
        return Error{"cannot count the possible CPUs"};
    FileSnapshot snap;
    for_each_percpu_entry<kscope_file_key, kscope_file_io>(
        *io, ncpus, [&](const kscope_file_key& k, const std::vector<kscope_file_io>& per_cpu) {
            FileCounters& c = snap[FileKey{k.pid, k.file.dev, k.file.ino}];
            for (const auto& v : per_cpu) {
                if (c.comm.empty() && v.comm[0]) {
                    c.comm.assign(v.comm, strnlen(v.comm, sizeof(v.comm)));
                    c.file_type = type_name(v.type);
                }
                c.reads += v.reads;
                c.writes += v.writes;
                c.read_bytes += v.read_bytes;
                c.write_bytes += v.write_bytes;
            }
        });
    for (auto& [key, c] : snap) {
        kscope_file_id id{key.ino, key.dev, 0};
        kscope_file_path p{};
        if (bpf_map_lookup_elem(*paths, &id, &p) != 0 || (p.flags & KSCOPE_FILE_PATH_ANON))
            c.path = anonymous_file_name(c.file_type, key.ino);
        else
            c.path.assign(p.path, std::min<size_t>(p.len, sizeof(p.path)));
    }
    return snap;
}

void FiletopProbe::forget_exited(FileSnapshot& snap) {
    auto io = obj_ ? obj_->map_fd("io") : Result<int>(Error{""});
    auto paths = obj_ ? obj_->map_fd("paths") : Result<int>(Error{""});
    if (!io || !paths)
        return;
    for (auto it = snap.begin(); it != snap.end();) {
        const FileKey key = it->first;
        if (!process_exited(key.pid)) {
            ++it;
            continue;
        }
        kscope_file_key k{{key.ino, key.dev, 0}, key.pid, 0};
        bpf_map_delete_elem(*io, &k);
        it = snap.erase(it);
    }
    // Files still counted for anyone now (not as of the snapshot) keep their path.
    const int ncpus = libbpf_num_possible_cpus();
    std::set<std::pair<uint32_t, uint64_t>> in_use;
    for_each_percpu_entry<kscope_file_key, kscope_file_io>(
        *io, ncpus, [&](const kscope_file_key& k, const std::vector<kscope_file_io>&) {
            in_use.emplace(k.file.dev, k.file.ino);
        });
    std::vector<kscope_file_id> unused;
    for_each_entry<kscope_file_id, kscope_file_path>(*paths, [&](const kscope_file_id& id, const kscope_file_path&) {
        if (!in_use.count({id.dev, id.ino}))
            unused.push_back(id);
    });
    for (const auto& id : unused)
        bpf_map_delete_elem(*paths, &id);
}

}  // namespace kscope
