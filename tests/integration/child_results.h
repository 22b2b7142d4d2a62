// What a forked child's raw syscalls returned, for the test to read after it exits: the
// child writes each result (or -errno) into a pipe.
#pragma once

#include <errno.h>
#include <unistd.h>

#include <fstream>
#include <vector>

namespace kscope::test {

class ChildResults {
public:
    ChildResults() {
        if (pipe(fds_) != 0)
            fds_[0] = fds_[1] = -1;
    }
    ~ChildResults() {
        close(fds_[0]);
        close(fds_[1]);
    }
    ChildResults(const ChildResults&) = delete;
    ChildResults& operator=(const ChildResults&) = delete;
    // In the child: the result of a raw syscall() (-1 with errno -> -errno).
    long put(long ret) {
        long value = ret < 0 ? -errno : ret;
        if (write(fds_[1], &value, sizeof value) != sizeof value)
            _exit(3);
        return value;
    }
    // In the parent, after the child exited.
    std::vector<long> take() {
        close(fds_[1]);
        fds_[1] = -1;
        std::vector<long> out;
        long v;
        while (read(fds_[0], &v, sizeof v) == sizeof v)
            out.push_back(v);
        return out;
    }

private:
    int fds_[2];
};

// Renames the calling process (its comm), as the events will show it.
inline void set_comm(const char* name) { std::ofstream("/proc/self/comm") << name << std::flush; }

}  // namespace kscope::test
