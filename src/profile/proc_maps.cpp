#include "profile/proc_maps.h"

#include <sys/sysmacros.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>

namespace kscope {
namespace {

bool parse_hex(std::string_view s, uint64_t& out) {
    if (s.empty())
        return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
    return ec == std::errc() && p == s.data() + s.size();
}

// Next space-separated field of line starting at pos; advances pos past it.
std::string_view next_field(std::string_view line, size_t& pos) {
    while (pos < line.size() && line[pos] == ' ')
        pos++;
    size_t start = pos;
    while (pos < line.size() && line[pos] != ' ')
        pos++;
    return line.substr(start, pos - start);
}

// One line: "start-end perms offset major:minor inode   path".
bool parse_line(std::string_view line, Mapping& m, std::string_view& perms) {
    size_t pos = 0;
    std::string_view range = next_field(line, pos);
    perms = next_field(line, pos);
    std::string_view offset = next_field(line, pos);
    std::string_view dev = next_field(line, pos);
    std::string_view inode = next_field(line, pos);
    size_t dash = range.find('-'), colon = dev.find(':');
    uint64_t major = 0, minor = 0;
    if (dash == std::string_view::npos || colon == std::string_view::npos || perms.size() < 4 ||
        !parse_hex(range.substr(0, dash), m.start) || !parse_hex(range.substr(dash + 1), m.end) ||
        !parse_hex(offset, m.file_offset) || !parse_hex(dev.substr(0, colon), major) ||
        !parse_hex(dev.substr(colon + 1), minor))
        return false;
    auto [p, ec] = std::from_chars(inode.data(), inode.data() + inode.size(), m.inode);
    if (ec != std::errc() || p != inode.data() + inode.size())
        return false;
    // Same encoding as stat's st_dev, so the two can be compared.
    m.dev = makedev(static_cast<unsigned>(major), static_cast<unsigned>(minor));
    // The path is the rest of the line after the padding; it may contain spaces.
    while (pos < line.size() && line[pos] == ' ')
        pos++;
    m.path = std::string(line.substr(pos));
    return m.start < m.end;
}

}  // namespace

const Mapping* ProcessMaps::find(uint64_t addr) const {
    auto it = std::upper_bound(mappings.begin(), mappings.end(), addr,
                               [](uint64_t a, const Mapping& m) { return a < m.start; });
    if (it == mappings.begin())
        return nullptr;
    --it;
    return addr < it->end ? &*it : nullptr;
}

ProcessMaps parse_proc_maps(std::string_view text, uint32_t pid) {
    ProcessMaps out;
    out.pid = pid;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        pos = nl == std::string_view::npos ? text.size() : nl + 1;
        Mapping m;
        std::string_view perms;
        if (parse_line(line, m, perms) && perms[2] == 'x')
            out.mappings.push_back(std::move(m));
    }
    std::sort(out.mappings.begin(), out.mappings.end(),
              [](const Mapping& a, const Mapping& b) { return a.start < b.start; });
    return out;
}

Result<ProcessMaps> read_proc_maps(uint32_t pid, const std::string& proc_root) {
    const std::string dir = proc_root + "/" + std::to_string(pid);
    std::ifstream in(dir + "/maps");
    if (!in)
        return errno_error("reading " + dir + "/maps", errno);
    std::stringstream text;
    text << in.rdbuf();
    ProcessMaps maps = parse_proc_maps(text.str(), pid);
    std::ifstream comm_in(dir + "/comm");
    std::getline(comm_in, maps.comm);
    return maps;
}

}  // namespace kscope
