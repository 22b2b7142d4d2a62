// ELF and DWARF as the symbolizer and the profiler's unwind tables read them: the binaries
// of whatever runs on the machine, so any bytes. From memory (build id, debuglink,
// segments, symbols, demangling) and from a file (.eh_frame call-frame information).
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "profile/elf_reader.h"
#include "profile/unwind_table.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (auto elf = kscope::ElfReader::from_memory(data, size)) {
        (void)elf->build_id();
        uint32_t crc = 0;
        (void)elf->debuglink(&crc);
        (void)elf->load_segments();
        std::vector<kscope::ElfSymbol> symbols;
        elf->append_functions(symbols);
        for (size_t i = 0; i < symbols.size() && i < 64; i++)
            (void)kscope::demangle(symbols[i].name);
        kscope::SymbolTable table(std::move(symbols));
    }
    static const int fd = memfd_create("kscope-fuzz-elf", 0);
    if (fd < 0 || ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != ssize_t(size))
        return 0;
    if (auto t = kscope::build_unwind_table("/proc/self/fd/" + std::to_string(fd)))
        (void)kscope::unwind_rows(*t);
    return 0;
}
