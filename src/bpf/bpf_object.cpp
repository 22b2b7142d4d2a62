#include "bpf/bpf_object.h"

#include <system_error>
#include <thread>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>

#include "pipeline/cgroup_paths.h"

namespace kscope {
namespace {

std::mutex g_log_mutex;
std::deque<std::string> g_log;
bool g_verbose = false;
constexpr size_t kLogLines = 60;

int libbpf_print(enum libbpf_print_level level, const char* fmt, va_list args) {
    if (level == LIBBPF_DEBUG && !g_verbose)
        return 0;
    char* text = nullptr;
    int n = vasprintf(&text, fmt, args);
    if (n < 0)
        return 0;
    std::string line(text, n);
    std::free(text);
    std::lock_guard lock(g_log_mutex);
    if (g_verbose)
        std::fputs(line.c_str(), stderr);
    g_log.push_back(std::move(line));
    if (g_log.size() > kLogLines)
        g_log.pop_front();
    return n;
}

struct InstallPrinter {
    InstallPrinter() { libbpf_set_print(libbpf_print); }
} g_install_printer;

}  // namespace

void set_libbpf_verbose(bool verbose) { g_verbose = verbose; }

std::string recent_libbpf_log() {
    std::lock_guard lock(g_log_mutex);
    std::string out;
    for (const auto& l : g_log)
        out += l;
    return out;
}

std::string hook_from_section(std::string_view section) {
    static constexpr std::pair<std::string_view, std::string_view> kPrefixes[] = {
        {"tp/", "tracepoint:"},         {"tracepoint/", "tracepoint:"},
        {"tp_btf/", "tp_btf:"},         {"raw_tp/", "raw_tracepoint:"},
        {"raw_tracepoint/", "raw_tracepoint:"}, {"uprobe/", "uprobe:"},
        {"perf_event", "perf_event"},   {"cgroup_skb/", "cgroup_skb:"},
        {"cgroup/", "cgroup:"},
    };
    for (auto [prefix, kind] : kPrefixes) {
        if (section.starts_with(prefix)) {
            std::string rest(section.substr(prefix.size()));
            for (auto& c : rest)
                if (c == '/')
                    c = ':';
            return std::string(kind) + rest;
        }
    }
    return std::string(section);
}

void BpfObject::LinkDeleter::operator()(bpf_link* link) const { bpf_link__destroy(link); }

Result<BpfObject> BpfObject::open(const std::string& name, std::span<const uint8_t> elf) {
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name.c_str());
    bpf_object* obj = bpf_object__open_mem(elf.data(), elf.size(), &opts);
    if (!obj)
        return errno_error("opening BPF object " + name, errno);
    return BpfObject(name, obj);
}

BpfObject::BpfObject(BpfObject&& other) noexcept
    : name_(std::move(other.name_)), obj_(other.obj_), links_(std::move(other.links_)),
      link_fds_(std::move(other.link_fds_)) {
    other.obj_ = nullptr;
    other.link_fds_.clear();
}

BpfObject& BpfObject::operator=(BpfObject&& other) noexcept {
    if (this != &other) {
        detach_all();
        bpf_object__close(obj_);
        name_ = std::move(other.name_);
        obj_ = other.obj_;
        links_ = std::move(other.links_);
        link_fds_ = std::move(other.link_fds_);
        other.link_fds_.clear();
        other.obj_ = nullptr;
    }
    return *this;
}

BpfObject::~BpfObject() {
    detach_all();
    bpf_object__close(obj_);
}

Result<void> BpfObject::set_global(std::string_view var, const void* value, size_t size) {
    const btf* btf = bpf_object__btf(obj_);
    if (!btf)
        return Error{"BPF object " + name_ + " has no BTF for its globals"};
    for (const char* section : {".rodata", ".data"}) {
        bpf_map* data = nullptr;
        bpf_map* map;
        bpf_object__for_each_map(map, obj_) {
            if (bpf_map__is_internal(map) && std::string_view(bpf_map__name(map)).ends_with(section))
                data = map;
        }
        const int sec_id = btf__find_by_name_kind(btf, section, BTF_KIND_DATASEC);
        if (!data || sec_id < 0)
            continue;
        const btf_type* sec = btf__type_by_id(btf, sec_id);
        const btf_var_secinfo* vsi = btf_var_secinfos(sec);
        for (int i = 0; i < btf_vlen(sec); i++, vsi++) {
            const btf_type* v = btf__type_by_id(btf, vsi->type);
            if (var != btf__name_by_offset(btf, v->name_off))
                continue;
            if (vsi->size != size)
                return Error{"global " + std::string(var) + " in " + name_ + " has size " +
                             std::to_string(vsi->size) + ", not " + std::to_string(size)};
            size_t total = 0;
            auto* current = static_cast<const uint8_t*>(bpf_map__initial_value(data, &total));
            if (!current || vsi->offset + size > total)
                return Error{"cannot write global " + std::string(var) + " in " + name_};
            if (const int fd = bpf_map__fd(data); fd >= 0) {  // loaded: write the kernel's copy
                if (std::string_view(section) == ".rodata")
                    return Error{"global " + std::string(var) + " in " + name_ + " is read-only once loaded"};
                // Read, patch, write back the section's one value (other globals kept).
                std::vector<uint8_t> image(bpf_map__value_size(data));
                const uint32_t zero = 0;
                if (vsi->offset + size > image.size())
                    return Error{"global " + std::string(var) + " lies outside " + name_ + "'s data section"};
                if (bpf_map_lookup_elem(fd, &zero, image.data()) != 0)
                    return errno_error("reading global " + std::string(var) + " in " + name_, errno);
                std::memcpy(image.data() + vsi->offset, value, size);
                if (bpf_map_update_elem(fd, &zero, image.data(), BPF_ANY) != 0)
                    return errno_error("writing global " + std::string(var) + " in " + name_, errno);
                return {};
            }
            std::vector<uint8_t> image(current, current + total);
            std::memcpy(image.data() + vsi->offset, value, size);
            if (int err = bpf_map__set_initial_value(data, image.data(), image.size()))
                return errno_error("writing global " + std::string(var) + " in " + name_, err);
            return {};
        }
    }
    return Error{"BPF object " + name_ + " has no global named " + std::string(var)};
}

Result<void> BpfObject::set_max_entries(std::string_view map_name, uint32_t entries) {
    bpf_map* map = bpf_object__find_map_by_name(obj_, std::string(map_name).c_str());
    if (!map)
        return Error{"BPF object " + name_ + " has no map " + std::string(map_name)};
    if (int err = bpf_map__set_max_entries(map, entries))
        return errno_error("sizing map " + std::string(map_name), err);
    return {};
}

Result<void> BpfObject::set_autoload(std::string_view program, bool load) {
    bpf_program* prog = bpf_object__find_program_by_name(obj_, std::string(program).c_str());
    if (!prog)
        return Error{"BPF object " + name_ + " has no program " + std::string(program)};
    if (int err = bpf_program__set_autoload(prog, load))
        return errno_error("configuring program " + std::string(program), err);
    return {};
}

Result<void> BpfObject::load() {
    if (int err = bpf_object__load(obj_)) {
        Error e = errno_error("loading BPF programs of probe " + name_, err);
        if (std::abs(err) == EPERM)
            e.message += " (kscope needs root, or CAP_BPF with CAP_PERFMON: run it with sudo)";
        else if (std::abs(err) == EACCES || std::abs(err) == EINVAL)
            e.message += " (the kernel's verifier refused a program)";
        return e;
    }
    return {};
}

std::vector<HookStatus> BpfObject::attach_all() {
    std::vector<HookStatus> report;
    bpf_program* prog;
    bpf_object__for_each_program(prog, obj_) {
        if (!bpf_program__autoload(prog) ||
            std::string_view(bpf_program__section_name(prog)).starts_with("perf_event"))
            continue;
        report.push_back(attach_one(prog));
    }
    return report;
}

HookStatus BpfObject::attach_program(std::string_view program) {
    bpf_program* prog = bpf_object__find_program_by_name(obj_, std::string(program).c_str());
    if (!prog)
        return {std::string(program), "", false, "no such program"};
    return attach_one(prog);
}

HookStatus BpfObject::attach_one(bpf_program* prog) {
    HookStatus s{bpf_program__name(prog), hook_from_section(bpf_program__section_name(prog))};
    bpf_link* link = nullptr;
    std::string_view section = bpf_program__section_name(prog);
    if (section.starts_with("cgroup_skb/") || section.starts_with("cgroup/")) {
        // Cgroup programs on the cgroup2 root see every socket on the host.
        auto root = cgroup2_mount_point();
        int fd = root ? ::open(root->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (fd < 0) {
            s.error = root ? "cannot open " + *root + ": " + std::strerror(errno)
                           : "no cgroup2 file system is mounted (mount -t cgroup2 none /sys/fs/cgroup)";
            return s;
        }
        s.hook += ":" + *root;
        link = bpf_program__attach_cgroup(prog, fd);
        const int saved = errno;
        ::close(fd);  // the link keeps the cgroup
        errno = saved;
    } else {
        link = bpf_program__attach(prog);
    }
    if (link) {
        s.attached = true;
        links_.emplace_back(link);
    } else {
        s.error = std::strerror(errno);
    }
    return s;
}

HookStatus BpfObject::attach_perf_event(std::string_view program, int perf_fd, const std::string& hook) {
    HookStatus s{std::string(program), hook};
    bpf_program* prog = bpf_object__find_program_by_name(obj_, s.program.c_str());
    if (!prog) {
        ::close(perf_fd);
        s.error = "no such program";
        return s;
    }
    bpf_link* link = bpf_program__attach_perf_event(prog, perf_fd);
    if (!link) {
        s.error = std::strerror(errno);
        ::close(perf_fd);
        return s;
    }
    links_.emplace_back(link);
    s.attached = true;
    return s;
}

HookStatus BpfObject::attach_netdev(std::string_view program, int ifindex, uint32_t attach_type, uint32_t flags,
                                    const std::string& hook) {
    HookStatus s{std::string(program), hook};
    auto fd = program_fd(program);
    if (!fd) {
        s.error = fd.error().message;
        return s;
    }
    LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
    const int link = bpf_link_create(*fd, ifindex, static_cast<bpf_attach_type>(attach_type), &opts);
    if (link < 0) {
        s.error = std::strerror(-link);
        return s;
    }
    link_fds_.push_back(link);
    s.attached = true;
    return s;
}

void BpfObject::detach_all() {
    for (int fd : link_fds_)
        ::close(fd);
    link_fds_.clear();
    auto links = std::move(links_);
    links_.clear();
    // Closing a tracepoint link waits for an RCU grace period (~50-80 ms here); one after
    // another, a probe with 30 links takes seconds to stop. Closed from several threads,
    // the waits overlap.
    constexpr size_t kThreads = 16;
    if (links.size() <= 1)
        return;  // the vector's destructor closes it
    std::vector<std::thread> threads;
    const size_t n = std::min(kThreads, links.size());
    try {
        for (size_t t = 0; t < n; t++)
            threads.emplace_back([&links, t, n] {
                for (size_t i = t; i < links.size(); i += n)
                    links[i].reset();
            });
    } catch (const std::system_error&) {
        // No thread to be had (a pids limit): the rest close one after another below.
    }
    for (auto& th : threads)
        th.join();
    for (auto& l : links)
        l.reset();  // what no thread took (only after a failed start)
}

namespace {

uint64_t misses_of(const bpf_program* prog) {
    bpf_prog_info info{};
    uint32_t len = sizeof(info);
    int fd = bpf_program__fd(prog);
    if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
        return info.recursion_misses;
    return 0;
}

}  // namespace

uint64_t BpfObject::program_misses() const {
    uint64_t total = 0;
    bpf_program* prog;
    bpf_object__for_each_program(prog, obj_) total += misses_of(prog);
    return total;
}

uint64_t BpfObject::program_misses(std::string_view program) const {
    const bpf_program* prog = bpf_object__find_program_by_name(obj_, std::string(program).c_str());
    return prog ? misses_of(prog) : 0;
}

std::vector<BpfObject::ProgramStats> BpfObject::program_stats() const {
    std::vector<ProgramStats> out;
    bpf_program* prog;
    bpf_object__for_each_program(prog, obj_) {
        int fd = bpf_program__fd(prog);
        bpf_prog_info info{};
        uint32_t len = sizeof(info);
        if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) != 0)
            continue;
        out.push_back({bpf_program__name(prog), info.run_cnt, info.run_time_ns, info.recursion_misses});
    }
    return out;
}

Result<int> BpfObject::program_fd(std::string_view program) const {
    const bpf_program* prog = bpf_object__find_program_by_name(obj_, std::string(program).c_str());
    int fd = prog ? bpf_program__fd(prog) : -1;
    if (fd < 0)
        return Error{"BPF object " + name_ + " has no loaded program " + std::string(program)};
    return fd;
}

bool BpfObject::has_map(std::string_view map) const {
    return bpf_object__find_map_by_name(obj_, std::string(map).c_str()) != nullptr;
}

Result<int> BpfObject::map_fd(std::string_view map) const {
    int fd = bpf_object__find_map_fd_by_name(obj_, std::string(map).c_str());
    if (fd < 0)
        return Error{"BPF object " + name_ + " has no loaded map " + std::string(map)};
    return fd;
}

}  // namespace kscope
