#include "events/block_io_stats.h"

#include <algorithm>

namespace kscope {

const char* block_op_name(uint32_t op) {
    switch (op) {
    case KSCOPE_BIO_READ: return "read";
    case KSCOPE_BIO_WRITE: return "write";
    case KSCOPE_BIO_FLUSH: return "flush";
    case KSCOPE_BIO_DISCARD: return "discard";
    }
    return "other";
}

namespace {

uint64_t minus(uint64_t now, uint64_t before) { return now >= before ? now - before : now; }

}  // namespace

std::vector<BlockLatencyRow> block_latency_rows(const BlockLatencySnapshot& previous,
                                                const BlockLatencySnapshot& current) {
    std::vector<BlockLatencyRow> rows;
    for (const auto& [key, cur] : current) {
        auto it = previous.find(key);
        const BlockLatencyCounters* before = it == previous.end() ? nullptr : &it->second;
        BlockLatencyRow r;
        r.hist = interval_histogram(cur.total, before ? &before->total : nullptr);
        if (r.hist.count == 0)
            continue;
        r.disk = cur.disk;
        r.op = block_op_name(key.op);
        r.bytes = minus(cur.bytes, before ? before->bytes : 0);
        r.total = summarize(r.hist);
        r.queue = summarize(interval_histogram(cur.queue, before ? &before->queue : nullptr));
        r.device = summarize(interval_histogram(cur.device, before ? &before->device : nullptr));
        rows.push_back(std::move(r));
    }
    std::stable_sort(rows.begin(), rows.end(), [](const BlockLatencyRow& a, const BlockLatencyRow& b) {
        return a.disk < b.disk;
    });
    return rows;
}

std::vector<BlockTopRow> block_top_rows(const BlockTopSnapshot& previous, const BlockTopSnapshot& current,
                                        size_t top) {
    std::vector<BlockTopRow> rows;
    for (const auto& [key, cur] : current) {
        auto it = previous.find(key);
        const BlockTopCounters* before = it == previous.end() ? nullptr : &it->second;
        BlockTopRow r;
        r.pid = key.pid;
        r.comm = cur.comm;
        r.disk = cur.disk;
        for (size_t op = 0; op < cur.ops.size(); op++) {
            const uint64_t n = minus(cur.ops[op], before ? before->ops[op] : 0);
            const uint64_t b = minus(cur.bytes[op], before ? before->bytes[op] : 0);
            r.ops += n;
            r.bytes += b;
            if (op == KSCOPE_BIO_READ) {
                r.reads = n;
                r.read_bytes = b;
            } else if (op == KSCOPE_BIO_WRITE) {
                r.writes = n;
                r.write_bytes = b;
            }
        }
        if (r.ops == 0)
            continue;
        r.avg_latency_ns = minus(cur.total_ns, before ? before->total_ns : 0) / r.ops;
        rows.push_back(std::move(r));
    }
    std::stable_sort(rows.begin(), rows.end(), [](const BlockTopRow& a, const BlockTopRow& b) {
        if (a.bytes != b.bytes)
            return a.bytes > b.bytes;
        return a.ops > b.ops;
    });
    if (top && rows.size() > top)
        rows.resize(top);
    return rows;
}

}  // namespace kscope
