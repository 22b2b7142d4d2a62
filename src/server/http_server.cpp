#include "server/http_server.h"

#include <httplib.h>

#include <algorithm>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <charconv>
#include <map>
#include <chrono>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "agent/config.h"
#include "server/dashboard.h"
#include "server/elastic_pool.h"
#include "server/http_reply.h"
#include "events/event.h"
#include "sinks/json_writer.h"
#include "util/clock.h"

namespace kscope {
namespace {

constexpr size_t kMaxStreamClients = 16;
// Connections served at once; more wait for a thread (the kernel's backlog holds them).
constexpr size_t kMaxConnectionThreads = 512;
constexpr size_t kMaxBody = 64 * 1024;
constexpr std::chrono::seconds kIoTimeout{5};
// Connections waiting for accept: scrapers, the dashboard and API clients arrive together.
constexpr int kListenBacklog = 511;

Result<uint64_t> number(const std::string& name, const std::string& v, uint64_t max) {
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (ec != std::errc() || end != v.data() + v.size() || n > max)
        return Error{fmt::format("parameter {}: '{}' is not a number up to {}", name, v, max)};
    return n;
}

// ns since the epoch, or a duration before now.
Result<uint64_t> time_param(const std::string& name, const std::string& v) {
    if (auto n = number(name, v, UINT64_MAX); n)
        return *n;
    auto ago = parse_duration_s(v);
    if (!ago)
        return Error{fmt::format("parameter {}: '{}' is neither ns since the epoch nor a duration like 15m", name, v)};
    const uint64_t now = epoch_now_ns();
    return now - std::min<uint64_t>(now, *ago * 1000000000ull);
}

std::string error_json(const std::string& message) {
    std::string out;
    JsonWriter w(out);
    w.begin_object().field("error", message).end_object();
    return out + "\n";
}

}  // namespace

namespace {

// The request's parameters as a query; on a bad or unknown one, a 400 is set and nullopt
// returned.
std::optional<EventQuery> request_query(const httplib::Request& req, httplib::Response& res,
                                        const std::set<std::string>& known) {
    for (const auto& [k, _] : req.params)
        if (!known.count(k)) {
            res.status = 400;
            res.set_content(error_json("unknown parameter " + k), "application/json");
            return std::nullopt;
        }
    auto q = event_query_from_params([&](const std::string& k, std::string& out) {
        if (!req.has_param(k.c_str()))
            return false;
        out = req.get_param_value(k.c_str());
        return true;
    });
    if (!q) {
        res.status = 400;
        res.set_content(error_json(q.error().message), "application/json");
        return std::nullopt;
    }
    return *q;
}

}  // namespace

Result<EventQuery> event_query_from_params(const std::function<bool(const std::string&, std::string&)>& param) {
    EventQuery q;
    std::string v;
    if (param("type", v)) {
        const auto& names = event_type_names();
        if (std::find(names.begin(), names.end(), v) == names.end()) {
            std::string known;
            for (auto n : names)
                known += (known.empty() ? "" : ", ") + std::string(n);
            return Error{fmt::format("parameter type: '{}' is not an event type ({})", v, known)};
        }
        q.type = v;
    }
    if (param("comm", v)) q.comm = v;
    if (param("container", v)) q.container_id = v;
    if (param("rule", v)) q.rule = v;
    if (param("priority", v)) {
        static const std::set<std::string> priorities = {"emergency", "alert",  "critical",      "error",
                                                         "warning",   "notice", "informational", "debug"};
        std::string lower;
        for (char ch : v) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        if (!priorities.count(lower))
            return Error{fmt::format("parameter priority: '{}' is not a priority (emergency, alert, critical, error, "
                                     "warning, notice, informational, debug)", v)};
        q.priority = v;
    }
    if (param("q", v)) q.text = v;
    if (param("pid", v)) {
        auto n = number("pid", v, UINT32_MAX);
        if (!n) return n.error();
        q.pid = uint32_t(*n);
    }
    if (param("since", v)) {
        auto t = time_param("since", v);
        if (!t) return t.error();
        q.since_ns = *t;
    }
    if (param("until", v)) {
        auto t = time_param("until", v);
        if (!t) return t.error();
        q.until_ns = *t;
    }
    if (q.since_ns && q.until_ns && *q.since_ns > *q.until_ns)
        return Error{fmt::format("parameter since ({}) is later than until ({})", *q.since_ns, *q.until_ns)};
    if (param("limit", v)) {
        auto n = number("limit", v, 10000);
        if (!n || *n == 0) return Error{fmt::format("parameter limit: '{}' is not a number from 1 to 10000", v)};
        q.limit = *n;
    }
    return q;
}

Result<ProfileQuery> profile_query_from_params(const std::function<bool(const std::string&, std::string&)>& param) {
    // The events' parser checks the shared ones (time, pid, comm, container).
    auto events = event_query_from_params([&](const std::string& k, std::string& out) {
        return (k == "since" || k == "until" || k == "pid" || k == "comm" || k == "container") && param(k, out);
    });
    if (!events)
        return events.error();
    ProfileQuery q;
    q.since_ns = events->since_ns;
    q.until_ns = events->until_ns;
    q.pid = events->pid;
    q.comm = events->comm;
    q.container_id = events->container_id;
    if (!q.since_ns) {  // the last 15 minutes by default
        const uint64_t now = epoch_now_ns();
        q.since_ns = now - std::min<uint64_t>(now, 15ull * 60 * 1'000'000'000);
    }
    return q;
}

HttpServer::HttpServer() = default;

HttpServer::~HttpServer() { stop(); }

Result<void> HttpServer::start(const std::string& host, uint16_t port, HttpHandlers h, const HttpSecurity& sec) {
    if (!sec.tls_cert.empty()) {
        auto tls = std::make_unique<httplib::SSLServer>(sec.tls_cert.c_str(), sec.tls_key.c_str());
        if (!tls->is_valid())
            return Error{fmt::format("cannot use TLS certificate {} with key {} (unreadable, or they do not match)",
                                     sec.tls_cert, sec.tls_key)};
        server_ = std::move(tls);
    } else {
        server_ = std::make_unique<httplib::Server>();
    }
    auto& s = *server_;
    // Each connection holds a thread while it lasts (a live stream for as long as it
    // listens): the pool grows with them, so slow or idle clients and the streams (capped
    // below) never leave /healthz, /metrics and the API waiting.
    s.new_task_queue = [] { return make_elastic_pool(kMaxStreamClients + 8, kMaxConnectionThreads).release(); };
    // Bounds on what one client may send or hold: a request's headers are at most 8 KiB a
    // line (cpp-httplib's build), its body kMaxBody (the API takes none bigger), each read
    // and write gets kIoTimeout, an idle kept-alive connection kIoTimeout too.
    s.set_payload_max_length(kMaxBody);
    s.set_read_timeout(kIoTimeout);
    s.set_write_timeout(kIoTimeout);
    s.set_keep_alive_timeout(kIoTimeout.count());
    s.set_keep_alive_max_count(100);
    if (!sec.bearer_token.empty()) {
        const std::string expected = "Bearer " + sec.bearer_token;
        s.set_pre_routing_handler([expected](const httplib::Request& req, httplib::Response& res) {
            if (req.path == "/healthz" || is_dashboard_path(req.path) ||
                req.get_header_value("Authorization") == expected)
                return httplib::Server::HandlerResponse::Unhandled;
            res.status = 401;
            res.set_header("WWW-Authenticate", "Bearer");
            res.set_content(error_json("missing or wrong bearer token"), "application/json");
            return httplib::Server::HandlerResponse::Handled;
        });
    }
    // Every route and its method, for 404 and 405 answers that say what exists.
    std::map<std::string, std::string> routes = {{"/healthz", "GET"},
                                                 {"/debug/pprof/profile", "GET"},
                                                 {"/api/v1/profile", "GET"},
                                                 {"/metrics", "GET"},
                                                 {"/api/v1/events", "GET"},
                                                 {"/api/v1/alerts", "GET"},
                                                 {"/api/v1/alerts/test", "POST"},
                                                 {"/api/v1/probes", "GET"}};
    if (h.stream)
        routes["/api/v1/stream"] = "GET";
    for (const std::string& view : dashboard_views())
        routes[view] = "GET";
    s.set_error_handler(httplib::Server::HandlerWithResponse([routes](const httplib::Request& req,
                                                                      httplib::Response& res) {
        if (!res.body.empty())  // a handler's own error, already explained
            return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 404) {
            if (auto it = routes.find(req.path); it != routes.end()) {
                res.status = 405;
                res.set_header("Allow", it->second);
                res.set_content(error_json(fmt::format("{} {}: method not allowed (use {})", req.method, req.path,
                                                       it->second)),
                                "application/json");
            } else {
                res.set_content(error_json(fmt::format("{} {}: no such endpoint", req.method, req.path)),
                                "application/json");
            }
        } else {
            res.set_content(error_json(fmt::format("HTTP {}", res.status)), "application/json");
        }
        return httplib::Server::HandlerResponse::Handled;
    }));
    // SO_REUSEADDR only (cpp-httplib also sets SO_REUSEPORT, which lets a second agent
    // bind the same address and take half the scrapes); the socket is kept to raise the
    // library's listen backlog of 5 after the bind.
    auto listen_fd = std::make_shared<int>(-1);
    s.set_socket_options([listen_fd](int sock) {
        int yes = 1;
        setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
        // A connection that sends nothing is not handed over (to a thread) until it does,
        // or for kIoTimeout: opening sockets and waiting costs the server nothing.
        int defer = int(kIoTimeout.count());
        setsockopt(sock, IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer);
        *listen_fd = sock;
    });
    s.Get("/healthz", [](const httplib::Request&, httplib::Response& res) { res.set_content("ok\n", "text/plain"); });
    s.Get("/metrics", [h](const httplib::Request& req, httplib::Response& res) {
        reply(req, res, h.metrics(), "text/plain; version=0.0.4; charset=utf-8");
    });
    auto serve_events = [h](const EventQuery& q, const httplib::Request& req, httplib::Response& res) {
        if (!h.events) {
            res.status = 503;
            res.set_content(error_json("the event store is disabled in the configuration"), "application/json");
            return;
        }
        auto rows = h.events(q);
        if (!rows) {
            res.status = 500;
            res.set_content(error_json(rows.error().message), "application/json");
            return;
        }
        std::string body = "[";
        for (size_t i = 0; i < rows->size(); i++)
            body += (i ? ",\n" : "\n") + (*rows)[i];
        body += "\n]\n";
        reply(req, res, std::move(body), "application/json");
    };
    s.Get("/api/v1/events", [serve_events](const httplib::Request& req, httplib::Response& res) {
        auto q = request_query(req, res, {"type", "since", "until", "pid", "comm", "container", "q", "limit"});
        if (q)
            serve_events(*q, req, res);
    });
    // Alerts are events of type alert; this adds the rule and priority filters.
    s.Get("/api/v1/alerts", [serve_events](const httplib::Request& req, httplib::Response& res) {
        auto q = request_query(req, res, {"since", "until", "pid", "comm", "container", "rule", "priority", "limit"});
        if (!q)
            return;
        q->type = "alert";
        serve_events(*q, req, res);
    });
    // As a Go program's endpoint: `go tool pprof http://HOST:PORT/debug/pprof/profile?seconds=5`.
    s.Get("/debug/pprof/profile", [h](const httplib::Request& req, httplib::Response& res) {
        for (const auto& [k, _] : req.params)
            if (k != "seconds") {
                res.status = 400;
                res.set_content(error_json("unknown parameter " + k), "application/json");
                return;
            }
        uint64_t seconds = 30;
        if (req.has_param("seconds")) {
            auto n = number("seconds", req.get_param_value("seconds"), 300);
            if (!n || *n == 0) {
                res.status = 400;
                res.set_content(error_json("parameter seconds: '" + req.get_param_value("seconds") +
                                           "' is not a number from 1 to 300"),
                                "application/json");
                return;
            }
            seconds = *n;
        }
        if (!h.pprof_capture) {
            res.status = 503;
            res.set_content(error_json("continuous profiling is off in the configuration (profiling.enabled)"),
                            "application/json");
            return;
        }
        auto body = h.pprof_capture(uint32_t(seconds));
        if (!body) {
            res.status = 500;
            res.set_content(error_json(body.error().message), "application/json");
            return;
        }
        res.set_header("Content-Disposition", "attachment; filename=\"profile.pb.gz\"");
        res.set_content(*body, "application/octet-stream");
    });
    s.Get("/api/v1/profile", [h](const httplib::Request& req, httplib::Response& res) {
        const std::set<std::string> known = {"since", "until", "pid", "comm", "container", "format"};
        for (const auto& [k, _] : req.params)
            if (!known.count(k)) {
                res.status = 400;
                res.set_content(error_json("unknown parameter " + k), "application/json");
                return;
            }
        auto param = [&](const std::string& k, std::string& out) {
            if (!req.has_param(k.c_str()))
                return false;
            out = req.get_param_value(k.c_str());
            return true;
        };
        auto q = profile_query_from_params(param);
        std::string format = "folded";
        param("format", format);
        if (q && format != "pprof" && format != "folded" && format != "json")
            q = Error{"parameter format: '" + format + "' is not pprof, folded or json"};
        if (!q) {
            res.status = 400;
            res.set_content(error_json(q.error().message), "application/json");
            return;
        }
        if (!h.profile_query) {
            res.status = 503;
            res.set_content(error_json("no profile store: profiling or the store is off in the configuration"),
                            "application/json");
            return;
        }
        auto body = h.profile_query(*q, format);
        if (!body) {
            res.status = 500;
            res.set_content(error_json(body.error().message), "application/json");
            return;
        }
        reply(req, res, std::move(body->first), body->second);
    });
    s.Get("/api/v1/probes", [h](const httplib::Request& req, httplib::Response& res) {
        if (!req.params.empty()) {
            res.status = 400;
            res.set_content(error_json("unknown parameter " + req.params.begin()->first), "application/json");
            return;
        }
        if (!h.probes) {
            res.status = 503;
            res.set_content(error_json("no probe table here"), "application/json");
            return;
        }
        reply(req, res, h.probes(), "application/json");
    });
    add_dashboard_routes(s);
    s.Post("/api/v1/alerts/test", [h](const httplib::Request&, httplib::Response& res) {
        if (!h.test_alert || !h.test_alert()) {
            res.status = 404;
            res.set_content(error_json("no alert exporter is configured (exporters.alertmanager)"), "application/json");
            return;
        }
        res.status = 202;
        res.set_content("{\"status\":\"queued\"}\n", "application/json");
    });
    if (h.stream) {
        EventBroadcaster* stream = h.stream;
        s.Get("/api/v1/stream", [stream](const httplib::Request& req, httplib::Response& res) {
            auto q = request_query(req, res, {"type", "pid", "comm", "container", "q", "max_rate"});
            if (!q)
                return;
            uint64_t max_rate = 0;  // events a second of each type; 0: every one
            if (req.has_param("max_rate")) {
                auto n = number("max_rate", req.get_param_value("max_rate"), 1'000'000);
                if (!n) {
                    res.status = 400;
                    res.set_content(error_json(n.error().message), "application/json");
                    return;
                }
                max_rate = *n;
            }
            if (stream->subscribers() >= kMaxStreamClients) {
                res.status = 503;
                res.set_content(error_json(fmt::format("{} live-stream clients already connected", kMaxStreamClients)),
                                "application/json");
                return;
            }
            auto sub = stream->subscribe(*q, 4096, uint32_t(max_rate));
            res.set_header("Cache-Control", "no-cache");
            // When thinning, the count so far is sent at most once a second while it grows.
            auto reported = std::make_shared<std::pair<uint64_t, std::chrono::steady_clock::time_point>>();
            res.set_chunked_content_provider(
                "text/event-stream",
                [sub, reported](size_t, httplib::DataSink& out) {
                    if (const uint64_t n = sub->thinned(); n != reported->first &&
                        std::chrono::steady_clock::now() - reported->second >= std::chrono::seconds(1)) {
                        *reported = {n, std::chrono::steady_clock::now()};
                        const std::string msg = fmt::format("event: thinned\ndata: {{\"thinned_total\":{}}}\n\n", n);
                        if (!out.write(msg.data(), msg.size()))
                            return false;
                    }
                    auto e = sub->pop(std::chrono::seconds(1));
                    if (!e && sub->closed()) {
                        // The agent is stopping: say so, and end the chunked body properly.
                        const std::string end = "event: end\ndata: {\"reason\":\"agent stopping\"}\n\n";
                        out.write(end.data(), end.size());
                        out.done();
                        return true;
                    }
                    // A comment line now and then keeps proxies from closing an idle stream.
                    const std::string chunk = e ? "event: " + e->type + "\ndata: " + e->json + "\n\n" : ": keepalive\n\n";
                    return out.write(chunk.data(), chunk.size());
                },
                [stream, sub](bool) { stream->unsubscribe(sub); });
        });
    }
    if (port == 0) {
        int bound = s.bind_to_any_port(host.c_str());
        if (bound <= 0)
            return Error{fmt::format("cannot listen on {}:0", host)};
        port_ = uint16_t(bound);
    } else {
        if (!s.bind_to_port(host.c_str(), port))
            return Error{fmt::format("cannot listen on {}:{} (in use, or not an address of this host)", host, port)};
        port_ = port;
    }
    // listen() again on a listening socket only changes its backlog.
    if (*listen_fd >= 0)
        ::listen(*listen_fd, kListenBacklog);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    return {};
}

void HttpServer::stop() {
    if (server_)
        server_->stop();
    if (thread_.joinable())
        thread_.join();
}

}  // namespace kscope
