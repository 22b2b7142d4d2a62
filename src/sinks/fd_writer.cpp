#include "sinks/fd_writer.h"

#include <unistd.h>

#include <cerrno>

namespace kscope {

bool FdWriter::flush() {
    size_t done = 0;
    while (!broken_ && done < buf_.size()) {
        ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            broken_ = true;  // EPIPE and friends: nobody reads any more
            break;
        }
        done += static_cast<size_t>(n);
    }
    buf_.clear();
    return !broken_;
}

}  // namespace kscope
