// Buffered writes to a file descriptor; flush() reports a closed reader (EPIPE).
#pragma once

#include <string>

namespace kscope {

class FdWriter {
public:
    explicit FdWriter(int fd) : fd_(fd) { buf_.reserve(1 << 16); }
    std::string& buffer() { return buf_; }
    // Writes out the buffer once it holds this much.
    void maybe_flush(size_t threshold = 1 << 16) {
        if (buf_.size() >= threshold)
            flush();
    }
    bool flush();

private:
    int fd_;
    std::string buf_;
    bool broken_ = false;
};

}  // namespace kscope
