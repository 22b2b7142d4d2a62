// Debian's dnsmasq answering in network namespace a of a NetnsPair (on a's addresses and
// on its 127.0.0.1), on any port, for web.kscope.test (10.1.2.3 and fd00::5) from a hosts
// file only (no upstream: nothing leaves the pair); and a UDP client for it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "harness.h"
#include "netns.h"

namespace kscope::test {

// Sends query to server:port over UDP and waits for an answer; true if one came.
bool ask_dns_udp(int family, const std::string& server, uint16_t port, const std::vector<uint8_t>& query,
                 int timeout_ms = 2000);

class DnsServer {
public:
    // Ready once it answers a query from namespace b (made before the caller starts
    // tracing, so that query is not seen).
    DnsServer(const NetnsPair& net, uint16_t port);
    ~DnsServer();
    bool ready() const { return ready_; }

private:
    TempDir tmp_{"kscope-dns-server"};
    pid_t pid_ = -1;
    bool ready_ = false;
};

}  // namespace kscope::test
