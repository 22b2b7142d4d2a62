// Whole HTTP requests (request line, headers, query parameters, body) to the agent's real
// server on loopback: a malformed request is answered 4xx, never 500, and never crashes
// it. The handlers behind it are stubs; the parsing and routing are the agent's.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "server/http_server.h"

namespace {

struct Server {
    explicit Server(std::string token) {
        kscope::HttpHandlers h;
        h.metrics = [] { return std::string("kscope_up 1\n"); };
        h.probes = [] { return std::string("[]\n"); };
        h.events = [](const kscope::EventQuery&) -> kscope::Result<std::vector<std::string>> {
            return std::vector<std::string>{R"({"type":"exec"})"};
        };
        h.stream = &stream;
        h.test_alert = [] { return false; };
        h.profile_query = [](const kscope::ProfileQuery&, const std::string&)
            -> kscope::Result<std::pair<std::string, std::string>> { return std::make_pair(std::string("main 1\n"), std::string("text/plain")); };
        if (!server.start("127.0.0.1", 0, h, {{}, {}, std::move(token)}))
            __builtin_trap();
    }
    kscope::EventBroadcaster stream;
    kscope::HttpServer server;
};

// The status code of the answer, 0 when the server closed without one.
int exchange(uint16_t port, const uint8_t* data, size_t size) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{0, 300'000};  // streams never end: the status line is all we wait for
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        __builtin_trap();
    for (size_t sent = 0; sent < size;) {
        const ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0)
            break;
        sent += size_t(n);
    }
    // No half-close: cpp-httplib drops a request whose client already sent its FIN.
    char buf[64] = {};
    size_t got = 0;
    while (got < 12) {
        const ssize_t n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (n <= 0)
            break;
        got += size_t(n);
    }
    close(fd);
    if (got < 12 || std::strncmp(buf, "HTTP/1.", 7) != 0)
        return 0;
    return std::atoi(buf + 9);
}

}  // namespace

// The first byte picks the server: open, or with a bearer token ("Bearer fuzz-token").
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Server open(""), guarded("fuzz-token");
    if (size < 1)
        return 0;
    const int status = exchange((data[0] & 1 ? guarded : open).server.port(), data + 1, size - 1);
    // 503 is a feature switched off (or 16 streams already), never the request's fault.
    if (status >= 500 && status != 503)
        __builtin_trap();
    return 0;
}
