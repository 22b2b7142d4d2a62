// One open ELF file (or in-memory image, for the vDSO), read with libelf: its build id,
// .gnu_debuglink, loadable segments and function symbols.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "profile/symbol_table.h"
#include "util/result.h"

typedef struct Elf Elf;

namespace kscope {

// A PT_LOAD program header: file bytes [offset, offset+filesz) sit at vaddr.
struct LoadSegment {
    uint64_t offset = 0, vaddr = 0, filesz = 0;
};

class ElfReader {
public:
    static Result<ElfReader> open(const std::string& path);
    // The image must outlive the reader.
    static Result<ElfReader> from_memory(const void* data, size_t size);

    ElfReader(ElfReader&&) noexcept;
    ElfReader& operator=(ElfReader&&) noexcept;
    ~ElfReader();

    const std::string& path() const { return path_; }
    uint64_t dev() const { return dev_; }      // of the opened file; 0 for memory
    uint64_t inode() const { return inode_; }
    // Lower-case hex of the NT_GNU_BUILD_ID note, "" when there is none.
    std::string build_id() const;
    // The .gnu_debuglink file name and CRC, name "" when there is none.
    std::string debuglink(uint32_t* crc) const;
    std::vector<LoadSegment> load_segments() const;
    // Whether a .symtab is present (the file is not stripped).
    bool has_symtab() const;
    // Appends the defined functions of .symtab and .dynsym.
    void append_functions(std::vector<ElfSymbol>& out) const;

private:
    ElfReader() = default;
    void close();

    int fd_ = -1;
    Elf* elf_ = nullptr;
    std::string path_;
    uint64_t dev_ = 0, inode_ = 0;
};

// The ELF virtual address of a file offset through the segments holding it; false when
// no segment holds it.
bool file_offset_to_vaddr(const std::vector<LoadSegment>& loads, uint64_t offset, uint64_t& vaddr);

}  // namespace kscope
