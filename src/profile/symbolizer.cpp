#include "profile/symbolizer.h"

#include <fmt/format.h>
#include <sys/auxv.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "profile/debug_file.h"
#include "profile/elf_reader.h"
#include "profile/proc_maps.h"

namespace kscope {

// One ELF file's symbols, shared by every process and mapping with the same build id.
struct Symbolizer::Module {
    std::string build_id;
    std::vector<LoadSegment> loads;  // of the binary itself: a debug file's are not usable
    SymbolTable symbols;
    std::unordered_map<const ElfSymbol*, std::string> demangled;  // filled as frames are named

    const std::string& name_of(const ElfSymbol& s) {
        auto it = demangled.find(&s);
        if (it == demangled.end())
            it = demangled.emplace(&s, demangle(s.name)).first;
        return it->second;
    }
};

struct Symbolizer::PerfMapEntry {
    PerfMap map;
    std::string path;  // the file read, "" when there is none
    int64_t mtime_ns = 0;
    int64_t size = 0;
    uint64_t checked_generation = 0;
};

namespace {

constexpr std::string_view kDeleted = " (deleted)";

bool is_file_mapping(const Mapping& m) { return !m.path.empty() && m.path.front() == '/'; }

std::string strip_deleted(const std::string& path) {
    if (path.size() > kDeleted.size() && path.ends_with(kDeleted))
        return path.substr(0, path.size() - kDeleted.size());
    return path;
}

// The mapped file, opened where it is most likely the very file the process maps: through
// the process's root (containers), its map_files entry (deleted files), then the path.
// A candidate whose inode differs (pid reused, file replaced) is a last resort.
std::optional<ElfReader> open_mapped_file(const std::string& proc_root, uint32_t pid, const Mapping& m) {
    const std::string path = strip_deleted(m.path);
    std::vector<std::string> candidates;
    if (pid != 0) {
        const std::string dir = proc_root + "/" + std::to_string(pid);
        candidates.push_back(dir + "/root" + path);
        if (path != m.path)
            candidates.push_back(fmt::format("{}/map_files/{:x}-{:x}", dir, m.start, m.end));
    }
    candidates.push_back(path);
    std::optional<ElfReader> fallback;
    for (const auto& c : candidates) {
        auto r = ElfReader::open(c);
        if (!r.ok())
            continue;
        if (m.inode == 0 || r->inode() == m.inode)
            return std::move(*r);
        if (!fallback)
            fallback = std::move(*r);
    }
    return fallback;
}

std::string read_text(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

std::string path_basename(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

Symbolizer::Symbolizer(SymbolizerOptions options) : options_(std::move(options)) {}
Symbolizer::~Symbolizer() = default;

std::shared_ptr<Symbolizer::Module> Symbolizer::load_module(const ProcessMaps& maps, const Mapping& m) {
    auto file = open_mapped_file(options_.proc_root, maps.pid, m);
    if (!file)
        return nullptr;
    std::string build_id = file->build_id();
    if (!build_id.empty()) {
        // The same library in another container or under another path: already read.
        auto it = by_build_id_.find(build_id);
        if (it != by_build_id_.end())
            return it->second;
    }
    auto mod = std::make_shared<Module>();
    mod->build_id = build_id;
    mod->loads = file->load_segments();
    std::vector<ElfSymbol> syms;
    file->append_functions(syms);
    if (!file->has_symtab()) {
        // Stripped: .dynsym has only exported functions; a debug file has them all.
        DebugLookup lookup;
        lookup.opened_path = file->path();
        lookup.mapped_path = strip_deleted(m.path);
        lookup.build_id = build_id;
        lookup.debuglink = file->debuglink(&lookup.debuglink_crc);
        std::vector<std::string> roots;
        if (maps.pid != 0)
            roots.push_back(options_.proc_root + "/" + std::to_string(maps.pid) + "/root" + options_.debug_root);
        roots.push_back(options_.debug_root);
        if (auto debug = find_debug_file(lookup, roots))
            debug->append_functions(syms);
    }
    mod->symbols = SymbolTable(std::move(syms));
    files_read_++;
    if (!build_id.empty())
        by_build_id_[build_id] = mod;
    return mod;
}

std::shared_ptr<Symbolizer::Module> Symbolizer::module_for(const ProcessMaps& maps, const Mapping& m) {
    if (m.path == "[vdso]")
        return vdso_module();
    if (!is_file_mapping(m))
        return nullptr;
    // Files are known by dev+inode; a filesystem that shows no inode, by path.
    auto& slot = m.inode != 0 ? by_file_[std::make_pair(m.dev, m.inode)] : by_path_[m.path];
    if (!slot.loaded) {
        slot.module = load_module(maps, m);
        slot.loaded = true;  // also when null: an unreadable file is not retried per frame
    }
    return slot.module;
}

// Every process of this kernel maps the same vDSO image: read it from our own memory.
std::shared_ptr<Symbolizer::Module> Symbolizer::vdso_module() {
    if (vdso_tried_)
        return vdso_;
    vdso_tried_ = true;
    const uint64_t base = getauxval(AT_SYSINFO_EHDR);
    if (base == 0)
        return nullptr;
    auto self = parse_proc_maps(read_text("/proc/self/maps"));
    const Mapping* m = self.find(base);
    if (!m)
        return nullptr;
    auto image = ElfReader::from_memory(reinterpret_cast<const void*>(base), m->end - base);
    if (!image.ok())
        return nullptr;
    auto mod = std::make_shared<Module>();
    mod->build_id = image->build_id();
    mod->loads = image->load_segments();
    std::vector<ElfSymbol> syms;
    image->append_functions(syms);
    mod->symbols = SymbolTable(std::move(syms));
    vdso_ = mod;
    return vdso_;
}

// The process's innermost pid (NSpid's last field), for a JIT in a container that names
// its map by the pid it sees; pid itself when there is no namespace or no status.
static uint32_t namespace_pid(const std::string& proc_root, uint32_t pid) {
    std::ifstream in(proc_root + "/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("NSpid:", 0) != 0)
            continue;
        size_t last = line.find_last_of(" \t");
        return last == std::string::npos ? pid : static_cast<uint32_t>(std::strtoul(line.c_str() + last + 1, nullptr, 10));
    }
    return pid;
}

const Symbolizer::PerfMapEntry& Symbolizer::perf_map(uint32_t pid) {
    auto& entry = perf_maps_[pid];
    if (!entry)
        entry = std::make_unique<PerfMapEntry>();
    else if (entry->checked_generation == generation_)
        return *entry;
    entry->checked_generation = generation_;
    // The host's /tmp first, then the process's own /tmp under its pid in its namespace.
    struct stat st {};
    std::string path = fmt::format("{}/perf-{}.map", options_.perf_map_dir, pid);
    if (stat(path.c_str(), &st) != 0) {
        path = fmt::format("{}/{}/root{}/perf-{}.map", options_.proc_root, pid, options_.perf_map_dir,
                           namespace_pid(options_.proc_root, pid));
        if (stat(path.c_str(), &st) != 0) {
            *entry = PerfMapEntry{};
            entry->checked_generation = generation_;
            return *entry;
        }
    }
    // JITs append as they compile: reload when the file changed.
    const int64_t mtime = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    if (path != entry->path || mtime != entry->mtime_ns || st.st_size != entry->size) {
        entry->map = PerfMap::load(path);
        entry->path = path;
        entry->mtime_ns = mtime;
        entry->size = st.st_size;
    }
    return *entry;
}

bool Symbolizer::name_from_perf_map(uint32_t pid, uint64_t lookup, Frame& f) {
    if (pid == 0)
        return false;
    const PerfMapEntry& entry = perf_map(pid);
    const PerfMapSymbol* sym = entry.map.find(lookup);
    if (!sym)
        return false;
    f.function = sym->name;
    f.module = entry.path;
    f.symbolized = true;
    return true;
}

Frame Symbolizer::user_frame(const ProcessMaps& maps, uint64_t addr, bool return_address) {
    return user_frame(maps, maps.pid, addr, return_address);
}

Frame Symbolizer::user_frame(const ProcessMaps& maps, uint32_t pid, uint64_t addr, bool return_address) {
    Frame f;
    f.address = addr;
    const uint64_t lookup = return_address && addr > 0 ? addr - 1 : addr;
    const Mapping* m = maps.find(addr);
    if (!m) {
        if (!name_from_perf_map(pid, lookup, f))
            f.function = kUnknownFunction;
        return f;
    }
    f.file_offset = addr - m->start + m->file_offset;
    auto mod = module_for(maps, *m);
    if (!mod) {
        // Anonymous executable memory is JIT code: the perf map may name it.
        if (name_from_perf_map(pid, lookup, f))
            return f;
        f.module = m->path;
        f.function = m->path.empty() || m->path.starts_with("[anon") ? std::string(kUnknownFunction)
                                                                       : fmt::format("{}+0x{:x}", path_basename(strip_deleted(m->path)), f.file_offset);
        return f;
    }
    f.module = m->path;
    f.build_id = mod->build_id;
    uint64_t vaddr = 0;
    const ElfSymbol* sym = nullptr;
    if (file_offset_to_vaddr(mod->loads, lookup - m->start + m->file_offset, vaddr))
        sym = mod->symbols.find(vaddr);
    if (sym) {
        f.function = mod->name_of(*sym);
        f.symbolized = true;
    } else {
        f.function = fmt::format("{}+0x{:x}", path_basename(strip_deleted(m->path)), f.file_offset);
    }
    return f;
}

Frame Symbolizer::kernel_frame(uint64_t addr, bool return_address) {
    if (!kernel_)
        kernel_ = KernelSymbols::load(options_.kallsyms_path);
    Frame f;
    f.address = addr;
    f.kernel = true;
    f.module = kKernelModule;
    const KernelSymbol* sym = kernel_->find(return_address && addr > 0 ? addr - 1 : addr);
    if (!sym) {
        f.function = fmt::format("0x{:x}", addr);
        return f;
    }
    f.function = sym->name;
    f.symbolized = true;
    if (!sym->module.empty())
        f.module = "[" + sym->module + "]";
    return f;
}

SymbolizedStack Symbolizer::symbolize(const StackSample& sample, const ProcessMaps& maps) {
    generation_++;
    SymbolizedStack out;
    out.pid = sample.pid;
    out.tid = sample.tid;
    out.comm = sample.comm;
    out.count = sample.count;
    out.frames.reserve(sample.user.size() + sample.kernel.size());
    // Maps read too late are empty (pid 0): the perf map is still found by the sample's pid.
    const uint32_t pid = maps.pid ? maps.pid : sample.pid;
    // Leaf-first in, root-first out; every frame but a leaf is a return address. A zero
    // address is padding, never code.
    for (size_t i = sample.user.size(); i-- > 0;)
        if (sample.user[i] != 0)
            out.frames.push_back(user_frame(maps, pid, sample.user[i], i != 0));
    for (size_t i = sample.kernel.size(); i-- > 0;)
        if (sample.kernel[i] != 0)
            out.frames.push_back(kernel_frame(sample.kernel[i], i != 0));
    return out;
}

}  // namespace kscope
