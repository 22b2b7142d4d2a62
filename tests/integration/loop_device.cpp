#include "loop_device.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <memory>

namespace kscope::test {
namespace {

std::string run_output(const std::string& cmd) {
    std::string out;
    std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
    if (!p)
        return out;
    std::array<char, 256> buf;
    while (fgets(buf.data(), buf.size(), p.get()))
        out += buf.data();
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}

}  // namespace

LoopDevice::LoopDevice() : dir_("kscope-loop") {
    file_ = dir_.path() + "/disk.img";
    if (system(("truncate -s 16M " + file_).c_str()) != 0)
        return;
    dev_ = run_output("losetup --find --show " + file_ + " 2>/dev/null");
    if (dev_.rfind("/dev/loop", 0) == 0)
        name_ = dev_.substr(5);
    if (system("command -v udevadm >/dev/null && udevadm settle -t 5 2>/dev/null") != 0) {
        // no udev here: nothing to wait for
    }
    usleep(200'000);
}

LoopDevice::~LoopDevice() {
    if (!dev_.empty())
        (void)!system(("losetup -d " + dev_).c_str());
}

pid_t direct_reader(const std::string& dev, int reads) {
    return spawn([dev, reads] {
        prctl(PR_SET_NAME, "kscope-bio");
        int fd = open(dev.c_str(), O_RDONLY | O_DIRECT);
        if (fd < 0)
            _exit(2);
        void* buf = nullptr;
        if (posix_memalign(&buf, 4096, 4096))
            _exit(3);
        for (int i = 0; i < reads; i++)
            if (pread(fd, buf, 4096, off_t(i) * 2 * 4096) != 4096)
                _exit(4);
        close(fd);
    });
}

}  // namespace kscope::test
