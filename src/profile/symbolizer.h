// Names the frames of raw stacks: kernel addresses through /proc/kallsyms, user addresses
// through the ELF symbol tables of the mapped files (or their separate debug files), JIT
// code through /tmp/perf-PID.map. Files are read once and cached by build id.
// Not thread-safe: one Symbolizer per thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "profile/kernel_symbols.h"
#include "profile/perf_map.h"
#include "profile/stack_sample.h"

namespace kscope {

inline constexpr const char* kKernelModule = "[kernel.kallsyms]";
inline constexpr const char* kUnknownFunction = "[unknown]";

// One named frame.
struct Frame {
    // Demangled function name. When the file is known but has no symbol for the address:
    // "<file basename>+0x<file offset>". "[unknown]" only when no module holds it; a hex
    // address for a kernel frame when kallsyms is unreadable.
    std::string function;
    std::string module;       // path as the process maps it, "[kernel.kallsyms]", "[ext4]", "[vdso]", perf map path
    std::string build_id;     // hex, "" when unknown
    uint64_t address = 0;     // as sampled
    uint64_t file_offset = 0; // offset of address in module (user frames); 0 for kernel frames
    bool kernel = false;
    bool symbolized = false;  // a symbol table named it (false for the fallbacks above)
    bool operator==(const Frame&) const = default;
};

// A stack with names, ready for the output writers.
struct SymbolizedStack {
    uint32_t pid = 0, tid = 0;
    std::string comm;
    // Root first: user root .. user leaf, then kernel root .. kernel leaf (the kernel ran
    // below the user code it interrupted or served).
    std::vector<Frame> frames;
    uint64_t count = 0;
};

struct SymbolizerOptions {
    std::string debug_root = "/usr/lib/debug";  // also searched under /proc/PID/root
    std::string proc_root = "/proc";
    std::string kallsyms_path = "/proc/kallsyms";
    std::string perf_map_dir = "/tmp";          // perf-PID.map files; also under /proc/PID/root
};

class Symbolizer {
public:
    explicit Symbolizer(SymbolizerOptions options = {});
    ~Symbolizer();
    Symbolizer(const Symbolizer&) = delete;
    Symbolizer& operator=(const Symbolizer&) = delete;

    // All frames of a sample, root first. maps are the sampled process's executable
    // mappings (may be empty when the process was gone before they were read).
    SymbolizedStack symbolize(const StackSample& sample, const ProcessMaps& maps);

    // One user frame. return_address: the address follows a call, look up addr - 1.
    Frame user_frame(const ProcessMaps& maps, uint64_t addr, bool return_address);
    // One kernel frame; kallsyms is read at the first one.
    Frame kernel_frame(uint64_t addr, bool return_address);

    // ELF files whose symbols were read so far (each build id once): for tests and stats.
    size_t files_read() const { return files_read_; }

private:
    struct Module;
    struct PerfMapEntry;

    // pid: whose perf map names JIT frames (the sample's when its maps are gone).
    Frame user_frame(const ProcessMaps& maps, uint32_t pid, uint64_t addr, bool return_address);
    std::shared_ptr<Module> module_for(const ProcessMaps& maps, const Mapping& m);
    std::shared_ptr<Module> load_module(const ProcessMaps& maps, const Mapping& m);
    std::shared_ptr<Module> vdso_module();
    const PerfMapEntry& perf_map(uint32_t pid);
    bool name_from_perf_map(uint32_t pid, uint64_t lookup, Frame& f);

    SymbolizerOptions options_;
    std::optional<KernelSymbols> kernel_;
    std::unordered_map<std::string, std::shared_ptr<Module>> by_build_id_;
    struct FileSlot {
        bool loaded = false;
        std::shared_ptr<Module> module;  // null when the file could not be read
    };
    std::map<std::pair<uint64_t, uint64_t>, FileSlot> by_file_;  // (dev, inode)
    std::unordered_map<std::string, FileSlot> by_path_;          // files without an inode
    std::shared_ptr<Module> vdso_;
    bool vdso_tried_ = false;
    std::unordered_map<uint32_t, std::unique_ptr<PerfMapEntry>> perf_maps_;
    uint64_t generation_ = 0;  // bumped per symbolize(): perf maps are re-checked once per stack
    size_t files_read_ = 0;
};

// The last path component: "/usr/lib/libc.so.6" -> "libc.so.6".
std::string path_basename(const std::string& path);

}  // namespace kscope
