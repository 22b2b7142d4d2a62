#include <dlfcn.h>
#include <execinfo.h>
#include <gtest/gtest.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "profile/elf_reader.h"
#include "profile/proc_maps.h"
#include "profile/symbolizer.h"
#include "profile_test_util.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KSCOPE_UNDER_ASAN 1
#endif
#endif

namespace kscope {
namespace {
namespace fs = std::filesystem;
using testing::TargetProcess;
using testing::TempDir;

const char* kCppName = "kscope_test::Worker::spin(long)";

ProcessMaps maps_of(pid_t pid) {
    auto maps = read_proc_maps(static_cast<uint32_t>(pid));
    EXPECT_TRUE(maps.ok()) << maps.error().message;
    return maps.ok() ? *maps : ProcessMaps{};
}

std::string build_id_of(const std::string& path) {
    auto r = ElfReader::open(path);
    return r.ok() ? r->build_id() : "";
}

// Every function the target printed gets the name it printed, as a leaf and as a return
// address one byte in.
void expect_target_named(const std::string& binary, Symbolizer& sym, bool check_qsort = true) {
    TargetProcess target(binary);
    ASSERT_GT(target.pid(), 0);
    ASSERT_EQ(target.addresses.size(), 5u) << "the target printed too little";
    ProcessMaps maps = maps_of(target.pid());
    for (const auto& [name, addr] : target.addresses) {
        if (name == "qsort" && !check_qsort)
            continue;
        Frame leaf = sym.user_frame(maps, addr, false);
        EXPECT_EQ(leaf.function, name) << binary << " at 0x" << std::hex << addr;
        EXPECT_TRUE(leaf.symbolized);
        EXPECT_FALSE(leaf.kernel);
        EXPECT_EQ(leaf.address, addr);
        Frame ret = sym.user_frame(maps, addr + 1, true);
        EXPECT_EQ(ret.function, name) << "return address inside " << name;
        if (name != "qsort") {
            EXPECT_EQ(leaf.module, binary);
            const Mapping* m = maps.find(addr);
            ASSERT_NE(m, nullptr);
            EXPECT_EQ(leaf.file_offset, addr - m->start + m->file_offset);
        }
    }
}

TEST(ProfileSymbolizer, NamesFunctionsOfAPieProgram) {
    Symbolizer sym;
    expect_target_named(SYMBOLIZER_TARGET, sym);
    TargetProcess target(SYMBOLIZER_TARGET);
    ProcessMaps maps = maps_of(target.pid());
    Frame f = sym.user_frame(maps, target.addresses.at(kCppName), false);
    EXPECT_EQ(f.build_id, build_id_of(SYMBOLIZER_TARGET));
    EXPECT_EQ(f.build_id.size(), 40u);  // a GNU build id is SHA-1 sized
    Frame q = sym.user_frame(maps, target.addresses.at("qsort"), false);
    EXPECT_EQ(fs::path(q.module).filename().string().rfind("libc.so", 0), 0u) << q.module;
}

TEST(ProfileSymbolizer, NamesFunctionsOfANonPieProgram) {
    Symbolizer sym;
    // A non-PIE program's &qsort is its own PLT entry, not libc's function.
    expect_target_named(SYMBOLIZER_TARGET_NOPIE, sym, false);
}

TEST(ProfileSymbolizer, ReturnAddressIsLookedUpOneByteBack) {
    Symbolizer sym;
    TargetProcess target(SYMBOLIZER_TARGET);
    ProcessMaps maps = maps_of(target.pid());
    const uint64_t start = target.addresses.at("c_function");
    EXPECT_EQ(sym.user_frame(maps, start, false).function, "c_function");
    // A return address equal to a function's start belongs to the call before it.
    EXPECT_NE(sym.user_frame(maps, start, true).function, "c_function");
}

TEST(ProfileSymbolizer, StackIsRootFirstWithKernelBelowUser) {
    TempDir dir;
    std::ofstream(dir / "kallsyms") << "ffffffff81000000 T entry_SYSCALL_64\nffffffff81000100 T do_syscall_64\n"
                                       "ffffffff81000200 T ksys_write\n";
    SymbolizerOptions opts;
    opts.kallsyms_path = dir / "kallsyms";
    Symbolizer sym(opts);
    TargetProcess target(SYMBOLIZER_TARGET);
    ProcessMaps maps = maps_of(target.pid());
    StackSample s;
    s.pid = static_cast<uint32_t>(target.pid());
    s.tid = s.pid;
    s.comm = "target";
    s.count = 9;
    s.user = {target.addresses.at("static_helper(long)") + 2, target.addresses.at("c_function") + 5,
              target.addresses.at("main") + 7};
    s.kernel = {0xffffffff81000210, 0xffffffff81000100, 0xffffffff81000050};
    SymbolizedStack out = sym.symbolize(s, maps);
    EXPECT_EQ(out.pid, s.pid);
    EXPECT_EQ(out.comm, "target");
    EXPECT_EQ(out.count, 9u);
    std::vector<std::string> names;
    for (const auto& f : out.frames)
        names.push_back(f.function);
    // 0xffffffff81000100 is a return address: it is named from the byte before it.
    EXPECT_EQ(names, (std::vector<std::string>{"main", "c_function", "static_helper(long)", "entry_SYSCALL_64",
                                               "entry_SYSCALL_64", "ksys_write"}));
    EXPECT_FALSE(out.frames[2].kernel);
    EXPECT_TRUE(out.frames[3].kernel);
    EXPECT_EQ(out.frames[3].module, kKernelModule);
}

// The target with its symbols moved to a debug file, placed as `place` says.
struct StrippedCopy {
    TempDir dir;
    std::string binary, debug;
    std::string build_id;
    StrippedCopy() {
        binary = dir / "prog";
        debug = dir / "prog.debug";
        fs::copy_file(SYMBOLIZER_TARGET, binary);
        EXPECT_TRUE(testing::run({"objcopy", "--only-keep-debug", binary, debug}));
        EXPECT_TRUE(testing::run({"strip", "--strip-all", binary}));
        build_id = build_id_of(binary);
        auto stripped = ElfReader::open(binary);
        EXPECT_TRUE(stripped.ok() && !stripped->has_symtab());
    }
    void add_debuglink() { EXPECT_TRUE(testing::run({"objcopy", "--add-gnu-debuglink=" + debug, binary})); }
    void move_debug_to(const std::string& path) {
        fs::create_directories(fs::path(path).parent_path());
        fs::rename(debug, path);
    }
};

TEST(ProfileSymbolizer, StrippedCopyNamedFromBuildIdDebugFile) {
    StrippedCopy copy;
    ASSERT_EQ(copy.build_id.size(), 40u);
    const std::string root = copy.dir / "debug-root";
    copy.move_debug_to(root + "/.build-id/" + copy.build_id.substr(0, 2) + "/" + copy.build_id.substr(2) + ".debug");
    SymbolizerOptions opts;
    opts.debug_root = root;
    Symbolizer sym(opts);
    expect_target_named(copy.binary, sym);
}

TEST(ProfileSymbolizer, StrippedCopyNamedThroughDebuglink) {
    for (const std::string where : {"same-dir", ".debug", "debug-root"}) {
        SCOPED_TRACE(where);
        StrippedCopy copy;
        copy.add_debuglink();
        SymbolizerOptions opts;
        opts.debug_root = copy.dir / "debug-root";  // no .build-id tree in it
        if (where == ".debug")
            copy.move_debug_to(copy.dir / ".debug/prog.debug");
        else if (where == "debug-root")
            copy.move_debug_to(opts.debug_root + copy.dir.path() + "/prog.debug");
        Symbolizer sym(opts);
        expect_target_named(copy.binary, sym);
    }
}

TEST(ProfileSymbolizer, UnnamedFrameShowsModuleAndFileOffset) {
    StrippedCopy copy;  // no debug file anywhere it looks
    SymbolizerOptions opts;
    opts.debug_root = copy.dir / "empty";
    Symbolizer sym(opts);
    TargetProcess target(copy.binary);
    ProcessMaps maps = maps_of(target.pid());
    const uint64_t addr = target.addresses.at("static_helper(long)");
    const Mapping* m = maps.find(addr);
    ASSERT_NE(m, nullptr);
    const uint64_t offset = addr - m->start + m->file_offset;
    Frame f = sym.user_frame(maps, addr, false);
    char expected[64];
    std::snprintf(expected, sizeof expected, "prog+0x%llx", static_cast<unsigned long long>(offset));
    EXPECT_EQ(f.function, expected);
    EXPECT_FALSE(f.symbolized);
    EXPECT_EQ(f.module, copy.binary);
    EXPECT_EQ(f.file_offset, offset);
    EXPECT_EQ(f.build_id, copy.build_id);
    // libc's exported functions are in .dynsym, so they are named without debug files.
    EXPECT_EQ(sym.user_frame(maps, target.addresses.at("qsort"), false).function, "qsort");
}

TEST(ProfileSymbolizer, UnreadableFileFallsBackToItsNameAndOffset) {
    ProcessMaps maps = parse_proc_maps(
        "7f0000000000-7f0000010000 r-xp 00001000 08:01 999999 /nonexistent/libgone.so\n"
        "7f0000020000-7f0000030000 r-xp 00000000 08:01 999998 /nonexistent/old.so (deleted)\n");
    Symbolizer sym;
    Frame f = sym.user_frame(maps, 0x7f0000000123, false);
    EXPECT_EQ(f.function, "libgone.so+0x1123");
    EXPECT_EQ(f.module, "/nonexistent/libgone.so");
    EXPECT_EQ(f.file_offset, 0x1123u);
    EXPECT_EQ(sym.user_frame(maps, 0x7f0000020010, true).function, "old.so+0x10");
    Frame outside = sym.user_frame(maps, 0x1000, false);
    EXPECT_EQ(outside.function, kUnknownFunction);
    EXPECT_EQ(outside.module, "");
}

TEST(ProfileSymbolizer, NamesAddressesInThisProcessIncludingLibc) {
#ifdef KSCOPE_UNDER_ASAN
    GTEST_SKIP() << "SKIPPED: under AddressSanitizer qsort is the sanitizer's interceptor, not libc's (runs in build/)";
#endif
    Symbolizer sym;
    ProcessMaps maps = maps_of(getpid());
    void* qsort_addr = dlsym(RTLD_DEFAULT, "qsort");
    ASSERT_NE(qsort_addr, nullptr);
    Frame q = sym.user_frame(maps, reinterpret_cast<uint64_t>(qsort_addr) + 3, true);
    EXPECT_EQ(q.function, "qsort");
    EXPECT_FALSE(q.build_id.empty());
    // A C++ function of this test binary, demangled.
    Frame s = sym.user_frame(maps, reinterpret_cast<uint64_t>(&maps_of), false);
    EXPECT_EQ(s.function, "kscope::(anonymous namespace)::maps_of(int)");
}

// A real stack of this process, leaf first, as the unwinder would hand it over.
__attribute__((noinline)) std::vector<uint64_t> inner_frame_for_test() {
    void* frames[64];
    int n = backtrace(frames, 64);
    std::vector<uint64_t> out;
    for (int i = 0; i < n; i++)
        out.push_back(reinterpret_cast<uint64_t>(frames[i]));
    asm volatile("" ::: "memory");  // keep the call above from being a tail call
    return out;
}

__attribute__((noinline)) std::vector<uint64_t> outer_frame_for_test() {
    auto out = inner_frame_for_test();
    asm volatile("" ::: "memory");
    return out;
}

TEST(ProfileSymbolizer, RealStackOfThisProcessRootFirst) {
    StackSample s;
    s.pid = static_cast<uint32_t>(getpid());
    s.comm = "kscope_unit_tes";
    s.count = 1;
    s.user = outer_frame_for_test();
    Symbolizer sym;
    SymbolizedStack out = sym.symbolize(s, maps_of(getpid()));
    std::vector<std::string> names;
    for (const auto& f : out.frames)
        names.push_back(f.function);
    std::string all;
    for (const auto& n : names)
        all += n + "\n";
    // Root first: libc's start code, then main, ..., this test, outer, inner, backtrace.
    auto at = [&](const std::string& name) { return std::find(names.begin(), names.end(), name) - names.begin(); };
    ASSERT_LT(at("main"), static_cast<long>(names.size())) << all;
    EXPECT_LT(at("main"), at("kscope::(anonymous namespace)::outer_frame_for_test()")) << all;
    EXPECT_EQ(at("kscope::(anonymous namespace)::outer_frame_for_test()") + 1,
              at("kscope::(anonymous namespace)::inner_frame_for_test()"))
        << all;
    const std::string exe = fs::read_symlink("/proc/self/exe").string();
    for (const auto& f : out.frames) {
        if (f.module == exe) {
            EXPECT_TRUE(f.symbolized) << "unnamed frame " << f.function << "\n" << all;
        }
        if (f.function == "__libc_start_main") {
            // libc's static start code is only in its debug file (libc6-dbg): found
            // through the system's /usr/lib/debug/.build-id when installed.
            const std::string debug = "/usr/lib/debug/.build-id/" + f.build_id.substr(0, 2) + "/" +
                                      f.build_id.substr(2) + ".debug";
            if (fs::exists(debug)) {
                EXPECT_NE(at("__libc_start_call_main"), static_cast<long>(names.size())) << all;
            }
        }
    }
}

TEST(ProfileSymbolizer, EachFileIsReadOnce) {
    Symbolizer sym;
    TargetProcess a(SYMBOLIZER_TARGET), b(SYMBOLIZER_TARGET);
    ProcessMaps ma = maps_of(a.pid()), mb = maps_of(b.pid());
    sym.user_frame(ma, a.addresses.at("main"), false);
    const size_t after_first = sym.files_read();
    EXPECT_EQ(after_first, 1u);
    sym.user_frame(ma, a.addresses.at("c_function"), false);
    sym.user_frame(mb, b.addresses.at("main"), false);  // another process, same file
    EXPECT_EQ(sym.files_read(), after_first);
    // A copy at another path (another inode) with the same build id is not read again.
    TempDir dir;
    fs::copy_file(SYMBOLIZER_TARGET, dir / "copy");
    TargetProcess c(dir / "copy");
    EXPECT_EQ(sym.user_frame(maps_of(c.pid()), c.addresses.at("main"), false).function, "main");
    EXPECT_EQ(sym.files_read(), after_first);
}

TEST(ProfileSymbolizer, NamesVdsoFunctions) {
    const uint64_t base = getauxval(AT_SYSINFO_EHDR);
    if (base == 0)
        GTEST_SKIP() << "SKIPPED: this process has no vDSO";
    ProcessMaps maps = maps_of(getpid());
    const Mapping* m = maps.find(base);
    ASSERT_NE(m, nullptr);
    ASSERT_EQ(m->path, "[vdso]");
    // Where clock_gettime is in the image, from its own symbol table.
    auto image = ElfReader::from_memory(reinterpret_cast<const void*>(base), m->end - base);
    ASSERT_TRUE(image.ok());
    std::vector<ElfSymbol> syms;
    image->append_functions(syms);
    uint64_t vaddr = 0;
    for (const auto& s : syms)
        if (s.name.find("clock_gettime") != std::string::npos)
            vaddr = s.address;
    ASSERT_NE(vaddr, 0u);
    uint64_t offset = 0;
    for (const auto& seg : image->load_segments())
        if (vaddr >= seg.vaddr && vaddr - seg.vaddr < seg.filesz)
            offset = vaddr - seg.vaddr + seg.offset;
    Symbolizer sym;
    Frame f = sym.user_frame(maps, base + offset + 1, false);
    EXPECT_NE(f.function.find("clock_gettime"), std::string::npos) << f.function;
    EXPECT_EQ(f.module, "[vdso]");
}

TEST(ProfileSymbolizer, JitFramesNamedFromPerfMap) {
    TempDir dir;
    const uint32_t pid = 3999999;  // no such process: only the perf map can name it
    std::ofstream(dir / ("perf-" + std::to_string(pid) + ".map"))
        << "7f1a2b000100 40 LazyCompile:*hot /app/server.js:10\n"
        << "0x7f1a2b000200 0x20 Builtin:ArgumentsAdaptorTrampoline\n";
    ProcessMaps maps = parse_proc_maps("7f1a2b000000-7f1a2b001000 rwxp 00000000 00:00 0 \n", pid);
    SymbolizerOptions opts;
    opts.perf_map_dir = dir.path();
    Symbolizer sym(opts);
    Frame f = sym.user_frame(maps, 0x7f1a2b000120, false);
    EXPECT_EQ(f.function, "LazyCompile:*hot /app/server.js:10");
    EXPECT_EQ(f.module, dir / ("perf-" + std::to_string(pid) + ".map"));
    EXPECT_TRUE(f.symbolized);
    EXPECT_EQ(sym.user_frame(maps, 0x7f1a2b000201, true).function, "Builtin:ArgumentsAdaptorTrampoline");
    // A return address just past the end of a JIT function is still that function.
    EXPECT_EQ(sym.user_frame(maps, 0x7f1a2b000140, true).function, "LazyCompile:*hot /app/server.js:10");
    EXPECT_EQ(sym.user_frame(maps, 0x7f1a2b000140, false).function, kUnknownFunction);
    // Outside every mapping, the perf map is still asked.
    EXPECT_EQ(sym.user_frame(ProcessMaps{pid, "", {}}, 0x7f1a2b000100, false).function,
              "LazyCompile:*hot /app/server.js:10");
}

TEST(ProfileSymbolizer, PerfMapOfAContainerizedJitUnderItsOwnPid) {
    // A JIT in a container writes /tmp/perf-<its pid>.map inside the container.
    TempDir dir;
    const uint32_t host_pid = 3999997, container_pid = 7;
    const std::string proc = dir / "proc", pid_dir = proc + "/" + std::to_string(host_pid);
    SymbolizerOptions opts;
    opts.proc_root = proc;
    opts.perf_map_dir = "/tmp";
    fs::create_directories(pid_dir + "/root/tmp");
    std::ofstream(pid_dir + "/status") << "Name:\tnode\nNSpid:\t" << host_pid << "\t" << container_pid << "\n";
    std::ofstream(pid_dir + "/root/tmp/perf-7.map") << "5000 100 LazyCompile:*handler /srv/app.js:3\n";
    Symbolizer sym(opts);
    Frame f = sym.user_frame(ProcessMaps{host_pid, "node", {}}, 0x5010, false);
    EXPECT_EQ(f.function, "LazyCompile:*handler /srv/app.js:3");
    EXPECT_EQ(f.module, pid_dir + "/root/tmp/perf-7.map");
}

TEST(ProfileSymbolizer, PerfMapReloadedWhenTheJitAppends) {
    TempDir dir;
    const uint32_t pid = 3999998;
    const std::string path = dir / ("perf-" + std::to_string(pid) + ".map");
    std::ofstream(path) << "1000 10 first\n";
    SymbolizerOptions opts;
    opts.perf_map_dir = dir.path();
    Symbolizer sym(opts);
    ProcessMaps maps{pid, "node", {}};
    StackSample s{pid, pid, "node", {0x2004}, {}, 1};
    EXPECT_EQ(sym.symbolize(s, maps).frames.at(0).function, kUnknownFunction);
    std::ofstream(path, std::ios::app) << "2000 10 second\n";
    EXPECT_EQ(sym.symbolize(s, maps).frames.at(0).function, "second");
    // Maps that could not be read (the process was gone) still find the perf map by pid.
    EXPECT_EQ(sym.symbolize(s, ProcessMaps{}).frames.at(0).function, "second");
    // Zero addresses are padding, not frames.
    StackSample padded{pid, pid, "node", {0x2004, 0}, {0}, 1};
    EXPECT_EQ(sym.symbolize(padded, maps).frames.size(), 1u);
}

}  // namespace
}  // namespace kscope
