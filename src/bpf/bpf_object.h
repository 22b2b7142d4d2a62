// RAII over a libbpf object built from a skeleton's embedded ELF bytes: open, set
// read-only globals, size maps, load, attach every program, detach on destruction.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

struct bpf_object;
struct bpf_link;
struct bpf_program;

namespace kscope {

// Outcome of attaching one BPF program to its hook.
struct HookStatus {
    std::string program;  // BPF program name, e.g. ks_exec
    std::string hook;     // e.g. tracepoint:sched:sched_process_exec
    bool attached = false;
    std::string error;    // why not, when !attached
};

// "tp/sched/sched_process_exec" -> "tracepoint:sched:sched_process_exec".
std::string hook_from_section(std::string_view section);

class BpfObject {
public:
    static Result<BpfObject> open(const std::string& name, std::span<const uint8_t> elf);

    BpfObject(BpfObject&& other) noexcept;
    BpfObject& operator=(BpfObject&& other) noexcept;
    BpfObject(const BpfObject&) = delete;
    BpfObject& operator=(const BpfObject&) = delete;
    ~BpfObject();

    // Writes a global by name: a `const volatile` one before load, a writable one (.data)
    // before load or while the programs run (an update of the section's map).
    Result<void> set_global(std::string_view var, const void* value, size_t size);
    template <typename T>
    Result<void> set_const(std::string_view var, const T& value) {
        return set_global(var, &value, sizeof(T));
    }
    Result<void> set_max_entries(std::string_view map, uint32_t entries);
    // Before load: a program left out is neither loaded nor attached.
    Result<void> set_autoload(std::string_view program, bool load);

    Result<void> load();

    // Attaches every program; keeps going past failures and reports each one. perf_event
    // programs are left to attach_perf_event (they need an event per CPU).
    std::vector<HookStatus> attach_all();
    // Attaches one loaded program by name (tracepoints by section; cgroup programs on the
    // cgroup2 root). Links live until detach_all() or destruction.
    HookStatus attach_program(std::string_view program);
    // Attaches a perf_event program to an open perf event; the link owns perf_fd.
    HookStatus attach_perf_event(std::string_view program, int perf_fd, const std::string& hook);
    // Attaches a program to a network interface as a BPF link (bpf_link_create), owned by
    // this process like the others: it goes when the process goes, also after kill -9.
    // attach_type: BPF_XDP (flags: XDP_FLAGS_DRV_MODE or XDP_FLAGS_SKB_MODE) or
    // BPF_TCX_INGRESS (46, kernel 6.6+).
    HookStatus attach_netdev(std::string_view program, int ifindex, uint32_t attach_type, uint32_t flags,
                             const std::string& hook);
    void detach_all();

    Result<int> map_fd(std::string_view map) const;
    bool has_map(std::string_view map) const;
    Result<int> program_fd(std::string_view program) const;
    // Runs the kernel skipped because another BPF program was active on that CPU
    // (recursion_misses), summed over this object's programs: events never produced.
    uint64_t program_misses() const;
    // The same for one program.
    uint64_t program_misses(std::string_view program) const;
    const std::string& name() const { return name_; }

    // The kernel's statistics of each loaded program (run_cnt and run_time_ns count only
    // while BPF stats are enabled).
    struct ProgramStats {
        std::string program;
        uint64_t runs = 0, run_time_ns = 0, misses = 0;
    };
    std::vector<ProgramStats> program_stats() const;

private:
    BpfObject(std::string name, bpf_object* obj) : name_(std::move(name)), obj_(obj) {}
    HookStatus attach_one(bpf_program* prog);

    struct LinkDeleter {
        void operator()(bpf_link* link) const;
    };
    std::string name_;
    bpf_object* obj_ = nullptr;
    std::vector<std::unique_ptr<bpf_link, LinkDeleter>> links_;
    std::vector<int> link_fds_;  // links made with bpf_link_create (no libbpf object)
};

// libbpf's messages go to a bounded in-memory log; --verbose echoes them to stderr.
void set_libbpf_verbose(bool verbose);
// The last libbpf warnings (verifier output on a failed load), newest last.
std::string recent_libbpf_log();

}  // namespace kscope
