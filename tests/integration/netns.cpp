#include "netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>

namespace kscope::test {
namespace {

bool sh(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()) == 0; }

}  // namespace

NetnsPair::NetnsPair(int subnet) {
    const std::string id = std::to_string(getpid()) + "_" + std::to_string(subnet);
    ns_a_ = "ksa_" + id;
    ns_b_ = "ksb_" + id;
    prefix_ = "10.231." + std::to_string(subnet);
    prefix6_ = "fd00:231:" + std::to_string(subnet);
    const std::string va = "kva" + std::to_string(subnet) + "_" + std::to_string(getpid() % 10000);
    const std::string vb = "kvb" + std::to_string(subnet) + "_" + std::to_string(getpid() % 10000);
    veth_a_ = va;
    ok_ = sh("ip netns add " + ns_a_) && sh("ip netns add " + ns_b_) &&
          sh("ip link add " + va + " type veth peer name " + vb) && sh("ip link set " + va + " netns " + ns_a_) &&
          sh("ip link set " + vb + " netns " + ns_b_) &&
          sh("ip -n " + ns_a_ + " addr add " + addr_a() + "/24 dev " + va) &&
          sh("ip -n " + ns_b_ + " addr add " + addr_b() + "/24 dev " + vb) &&
          // nodad: usable at once, without waiting for duplicate address detection
          sh("ip -n " + ns_a_ + " addr add " + addr6_a() + "/64 dev " + va + " nodad") &&
          sh("ip -n " + ns_b_ + " addr add " + addr6_b() + "/64 dev " + vb + " nodad") &&
          sh("ip -n " + ns_a_ + " link set " + va + " up") && sh("ip -n " + ns_b_ + " link set " + vb + " up") &&
          sh("ip -n " + ns_a_ + " link set lo up") && sh("ip -n " + ns_b_ + " link set lo up");
}

NetnsPair::~NetnsPair() {
    sh("ip netns del " + ns_a_);  // deleting a namespace removes its end of the veth pair too
    sh("ip netns del " + ns_b_);
}

bool NetnsPair::enter(const std::string& ns) {
    int fd = open(("/var/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = setns(fd, CLONE_NEWNET) == 0;
    close(fd);
    return ok;
}

}  // namespace kscope::test
