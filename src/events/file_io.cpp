#include "events/file_io.h"

#include <algorithm>

namespace kscope {

std::string anonymous_file_name(const std::string& file_type, uint64_t ino) {
    const std::string kind = file_type == "socket" ? "socket" : file_type == "pipe" ? "pipe" : "anon_inode";
    return kind + ":[" + std::to_string(ino) + "]";
}

std::vector<FileIoRow> file_io_rows(const FileSnapshot& previous, const FileSnapshot& current, size_t top) {
    auto minus = [](uint64_t now, uint64_t before) { return now >= before ? now - before : now; };
    std::vector<FileIoRow> rows;
    for (const auto& [key, cur] : current) {
        const FileCounters* prev = nullptr;
        if (auto it = previous.find(key); it != previous.end())
            prev = &it->second;
        FileIoRow r{key.pid, cur.comm, cur.path, cur.file_type};
        r.reads = minus(cur.reads, prev ? prev->reads : 0);
        r.writes = minus(cur.writes, prev ? prev->writes : 0);
        r.read_bytes = minus(cur.read_bytes, prev ? prev->read_bytes : 0);
        r.write_bytes = minus(cur.write_bytes, prev ? prev->write_bytes : 0);
        if (r.reads || r.writes)
            rows.push_back(std::move(r));
    }
    std::stable_sort(rows.begin(), rows.end(), [](const FileIoRow& a, const FileIoRow& b) {
        uint64_t ab = a.read_bytes + a.write_bytes, bb = b.read_bytes + b.write_bytes;
        if (ab != bb)
            return ab > bb;
        return a.reads + a.writes > b.reads + b.writes;
    });
    if (top && rows.size() > top)
        rows.resize(top);
    return rows;
}

}  // namespace kscope
