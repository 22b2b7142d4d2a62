// The agent's HTTP endpoints (cpp-httplib): /metrics, /healthz, the /api/v1/* API and the
// web dashboard.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "server/event_stream.h"
#include "store/event_store.h"
#include "store/profile_store.h"
#include "util/result.h"

namespace httplib {
class Server;
}

namespace kscope {

struct HttpSecurity {
    std::string tls_cert, tls_key;  // both set: HTTPS
    std::string bearer_token;       // set: every endpoint but /healthz needs it
    bool operator==(const HttpSecurity&) const = default;
};

struct HttpHandlers {
    std::function<std::string()> metrics;  // Prometheus text
    // Each probe's hooks, state, events, drops and cost, as a JSON array (/api/v1/probes).
    std::function<std::string()> probes;
    // Matching events as JSON bodies; an Error is the server's fault (500).
    std::function<Result<std::vector<std::string>>(const EventQuery&)> events;
    // Live events (server-sent events); null = no /api/v1/stream.
    EventBroadcaster* stream = nullptr;
    // Sends a test alert to the configured alerting systems; false if none is configured.
    std::function<bool()> test_alert;
    // A fresh CPU profile of the next `seconds`, as gzipped pprof; null = profiling off.
    std::function<Result<std::string>(uint32_t seconds)> pprof_capture;
    // Stored profile minutes merged, as body and content type; format is pprof, folded
    // or json. null = no profile store.
    std::function<Result<std::pair<std::string, std::string>>(const ProfileQuery&, const std::string& format)>
        profile_query;
};

class HttpServer {
public:
    HttpServer();
    ~HttpServer();
    // Binds (an error names the address) and serves on a thread of its own.
    Result<void> start(const std::string& host, uint16_t port, HttpHandlers handlers,
                       const HttpSecurity& security = {});
    void stop();
    uint16_t port() const { return port_; }

private:
    std::unique_ptr<httplib::Server> server_;
    std::thread thread_;
    uint16_t port_ = 0;
};

// The query parameters of /api/v1/events: type, since, until (ns since the epoch, or a
// duration ago: "15m"), pid, comm, container, q (text), limit (1..10000, default 100).
Result<EventQuery> event_query_from_params(const std::function<bool(const std::string&, std::string&)>& param);
// The parameters of /api/v1/profile: since (default 15m ago), until, pid, comm, container.
Result<ProfileQuery> profile_query_from_params(const std::function<bool(const std::string&, std::string&)>& param);

}  // namespace kscope
