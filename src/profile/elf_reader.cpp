#include "profile/elf_reader.h"

#include <elfutils/libdwelf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

namespace kscope {
namespace {

void init_libelf() {
    static std::once_flag once;
    std::call_once(once, [] { elf_version(EV_CURRENT); });
}

Error elf_error(const std::string& what) { return Error{what + ": " + elf_errmsg(-1)}; }

}  // namespace

Result<ElfReader> ElfReader::open(const std::string& path) {
    init_libelf();
    ElfReader r;
    r.path_ = path;
    r.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (r.fd_ < 0)
        return errno_error("opening " + path, errno);
    struct stat st {};
    if (fstat(r.fd_, &st) == 0) {
        r.dev_ = st.st_dev;
        r.inode_ = st.st_ino;
    }
    r.elf_ = elf_begin(r.fd_, ELF_C_READ_MMAP, nullptr);
    if (!r.elf_)
        return elf_error("reading " + path);
    if (elf_kind(r.elf_) != ELF_K_ELF)
        return Error{path + " is not an ELF file"};
    return r;
}

Result<ElfReader> ElfReader::from_memory(const void* data, size_t size) {
    init_libelf();
    ElfReader r;
    r.path_ = "[memory]";
    // libelf takes a non-const pointer but only reads with ELF_C_READ_MMAP semantics.
    r.elf_ = elf_memory(static_cast<char*>(const_cast<void*>(data)), size);
    if (!r.elf_)
        return elf_error("reading an in-memory ELF image");
    if (elf_kind(r.elf_) != ELF_K_ELF)
        return Error{"the in-memory image is not an ELF file"};
    return r;
}

ElfReader::ElfReader(ElfReader&& o) noexcept { *this = std::move(o); }

ElfReader& ElfReader::operator=(ElfReader&& o) noexcept {
    if (this != &o) {
        close();
        fd_ = o.fd_;
        elf_ = o.elf_;
        path_ = std::move(o.path_);
        dev_ = o.dev_;
        inode_ = o.inode_;
        o.fd_ = -1;
        o.elf_ = nullptr;
    }
    return *this;
}

ElfReader::~ElfReader() { close(); }

void ElfReader::close() {
    if (elf_)
        elf_end(elf_);
    if (fd_ >= 0)
        ::close(fd_);
    elf_ = nullptr;
    fd_ = -1;
}

std::string ElfReader::build_id() const {
    const void* id = nullptr;
    ssize_t len = dwelf_elf_gnu_build_id(elf_, &id);
    std::string hex;
    static constexpr char kDigits[] = "0123456789abcdef";
    for (ssize_t i = 0; i < len; i++) {
        auto b = static_cast<const unsigned char*>(id)[i];
        hex += kDigits[b >> 4];
        hex += kDigits[b & 15];
    }
    return hex;
}

std::string ElfReader::debuglink(uint32_t* crc) const {
    GElf_Word c = 0;
    const char* name = dwelf_elf_gnu_debuglink(elf_, &c);
    if (crc)
        *crc = c;
    return name ? name : "";
}

std::vector<LoadSegment> ElfReader::load_segments() const {
    std::vector<LoadSegment> out;
    size_t n = 0;
    if (elf_getphdrnum(elf_, &n) != 0)
        return out;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf_, static_cast<int>(i), &ph) && ph.p_type == PT_LOAD)
            out.push_back({ph.p_offset, ph.p_vaddr, ph.p_filesz});
    }
    return out;
}

bool ElfReader::has_symtab() const {
    for (Elf_Scn* scn = elf_nextscn(elf_, nullptr); scn; scn = elf_nextscn(elf_, scn)) {
        GElf_Shdr sh;
        if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB)
            return true;
    }
    return false;
}

void ElfReader::append_functions(std::vector<ElfSymbol>& out) const {
    for (Elf_Scn* scn = elf_nextscn(elf_, nullptr); scn; scn = elf_nextscn(elf_, scn)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || (sh.sh_type != SHT_SYMTAB && sh.sh_type != SHT_DYNSYM) || sh.sh_entsize == 0)
            continue;
        if (sh.sh_flags & SHF_COMPRESSED)
            elf_compress(scn, 0, 0);  // rare for symbol tables; libelf inflates in place
        Elf_Data* data = elf_getdata(scn, nullptr);
        if (!data)
            continue;
        const size_t count = sh.sh_size / sh.sh_entsize;
        for (size_t i = 0; i < count; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(data, static_cast<int>(i), &sym))
                break;
            const int type = GELF_ST_TYPE(sym.st_info);
            if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF || sym.st_value == 0)
                continue;
            const char* name = elf_strptr(elf_, sh.sh_link, sym.st_name);
            if (!name || !*name)
                continue;
            out.push_back({sym.st_value, sym.st_size, name, static_cast<uint8_t>(GELF_ST_BIND(sym.st_info))});
        }
    }
}

bool file_offset_to_vaddr(const std::vector<LoadSegment>& loads, uint64_t offset, uint64_t& vaddr) {
    for (const auto& s : loads) {
        if (offset >= s.offset && offset - s.offset < s.filesz) {
            vaddr = offset - s.offset + s.vaddr;
            return true;
        }
    }
    return false;
}

}  // namespace kscope
