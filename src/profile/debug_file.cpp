#include "profile/debug_file.h"

#include <zlib.h>

#include <fstream>

namespace kscope {
namespace {

std::string dirname_of(const std::string& path) {
    size_t slash = path.rfind('/');
    if (slash == std::string::npos)
        return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string join(const std::string& dir, const std::string& rest) {
    if (dir.empty())
        return rest;
    if (dir.back() == '/' || (!rest.empty() && rest.front() == '/'))
        return dir + rest;
    return dir + "/" + rest;
}

}  // namespace

std::vector<std::string> debug_file_candidates(const DebugLookup& lookup, const std::vector<std::string>& debug_roots) {
    std::vector<std::string> out;
    if (lookup.build_id.size() > 2)
        for (const auto& root : debug_roots)
            out.push_back(join(root, ".build-id/" + lookup.build_id.substr(0, 2) + "/" + lookup.build_id.substr(2) +
                                         ".debug"));
    if (!lookup.debuglink.empty()) {
        const std::string dir = dirname_of(lookup.opened_path);
        out.push_back(join(dir, lookup.debuglink));
        out.push_back(join(dir, ".debug/" + lookup.debuglink));
        const std::string mapped_dir = dirname_of(lookup.mapped_path.empty() ? lookup.opened_path : lookup.mapped_path);
        for (const auto& root : debug_roots)
            out.push_back(join(join(root, mapped_dir), lookup.debuglink));
    }
    return out;
}

std::optional<uint32_t> file_crc32(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return std::nullopt;
    uLong crc = crc32(0L, Z_NULL, 0);
    std::vector<char> buf(1 << 16);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        std::streamsize n = in.gcount();
        if (n > 0)
            crc = crc32(crc, reinterpret_cast<const Bytef*>(buf.data()), static_cast<uInt>(n));
    }
    return static_cast<uint32_t>(crc);
}

std::optional<ElfReader> find_debug_file(const DebugLookup& lookup, const std::vector<std::string>& debug_roots) {
    for (const auto& path : debug_file_candidates(lookup, debug_roots)) {
        if (path == lookup.opened_path)
            continue;  // a debuglink naming the binary itself
        auto r = ElfReader::open(path);
        if (!r.ok())
            continue;
        const std::string id = r->build_id();
        if (!lookup.build_id.empty() && !id.empty()) {
            if (id == lookup.build_id)
                return std::move(*r);
            continue;
        }
        // No build id to compare: the CRC the binary recorded must match.
        if (!lookup.debuglink.empty() && file_crc32(path) == lookup.debuglink_crc)
            return std::move(*r);
    }
    return std::nullopt;
}

}  // namespace kscope
