// Two network namespaces joined by a veth pair, made and removed by the test itself:
// traffic between them never leaves this machine.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
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

// A TCP socket of family (AF_INET or AF_INET6) bound to addr:port (to listen on) or
// connected to it; -1 on failure.
int tcp_socket(int family, const std::string& addr, uint16_t port, bool connect_it);

// The two processes of a tcp_exchange; -1 for one that was not started.
struct TcpPeers {
    pid_t server = -1, client = -1;
};

// Server in namespace a on server_addr:port, client in b: the client sends client_bytes
// and shuts down its side first, the server answers server_bytes and closes. Both
// children are reaped and expected to exit 0 (EXPECT_EQ); the client is not started if
// the server could not listen.
TcpPeers tcp_exchange(const NetnsPair& net, int family, const std::string& server_addr, uint16_t port,
                      size_t client_bytes, size_t server_bytes);

}  // namespace kscope::test
