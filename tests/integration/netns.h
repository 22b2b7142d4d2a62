// Two network namespaces joined by a veth pair, made and removed by the test itself:
// traffic between them never leaves this machine.
#pragma once

#include <string>

namespace kscope::test {

class NetnsPair {
public:
    // a gets 10.231.<subnet>.1, b gets 10.231.<subnet>.2 (and fd00:231:<subnet>::1/2).
    explicit NetnsPair(int subnet);
    ~NetnsPair();
    bool ok() const { return ok_; }
    std::string addr_a() const { return prefix_ + ".1"; }
    std::string addr_b() const { return prefix_ + ".2"; }
    std::string addr6_a() const { return prefix6_ + "::1"; }
    std::string addr6_b() const { return prefix6_ + "::2"; }
    // Moves the calling process (a forked child) into namespace a or b.
    bool enter_a() const { return enter(ns_a_); }
    bool enter_b() const { return enter(ns_b_); }
    // The veth end inside namespace a.
    const std::string& veth_a() const { return veth_a_; }

private:
    static bool enter(const std::string& ns);
    std::string ns_a_, ns_b_, prefix_, prefix6_, veth_a_;
    bool ok_ = false;
};

}  // namespace kscope::test
