#include "server/dashboard.h"

#include <httplib.h>

#include <algorithm>
#include <fmt/format.h>
#include <memory>
#include <mutex>
#include <zlib.h>

#include "profile/gzip.h"
#include "server/http_reply.h"
#include "server/web_assets.h"

namespace kscope {
namespace {

// An asset as served: its bytes, gzipped once (the bundle is ~2.5x smaller), and an ETag so
// a reload costs a 304.
struct Served {
    const WebAsset* asset = nullptr;
    std::shared_ptr<const std::string> plain, gzipped;  // gzipped empty when it would not be smaller
    std::string etag;
};

const std::vector<Served>& served() {
    static std::vector<Served> all;
    static std::once_flag once;
    std::call_once(once, [] {
        for (const WebAsset& a : web_assets()) {
            const uLong crc = crc32(0, reinterpret_cast<const Bytef*>(a.body.data()), uInt(a.body.size()));
            auto gz = std::make_shared<std::string>(gzip_compress(a.body));
            if (gz->size() >= a.body.size())
                gz->clear();
            all.push_back({&a, std::make_shared<const std::string>(a.body), std::move(gz),
                           fmt::format("\"{:08x}-{}\"", crc, a.body.size())});
        }
    });
    return all;
}

const Served* find(std::string_view path) {
    for (const Served& s : served())
        if (s.asset->path == path)
            return &s;
    return nullptr;
}

void serve(const Served& s, const httplib::Request& req, httplib::Response& res) {
    res.set_header("ETag", s.etag);
    // Revalidated on each load: a new agent binary must never run an old page.
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Content-Type-Options", "nosniff");
    if (req.get_header_value("If-None-Match") == s.etag) {
        res.status = 304;
        return;
    }
    reply_precompressed(req, res, s.plain, s.gzipped, std::string(s.asset->content_type));
}

}  // namespace

const std::vector<std::string>& dashboard_views() {
    static const std::vector<std::string> views = {"/",        "/events",      "/alerts", "/network",
                                                   "/profile", "/performance", "/probes"};
    return views;
}

bool is_dashboard_path(const std::string& path) {
    const auto& v = dashboard_views();
    return std::find(v.begin(), v.end(), path) != v.end() || (path.starts_with("/assets/") && find(path));
}

void add_dashboard_routes(httplib::Server& server) {
    const Served* page = find("/index.html");
    for (const std::string& view : dashboard_views())
        server.Get(view, [page](const httplib::Request& req, httplib::Response& res) {
            if (page)
                serve(*page, req, res);
        });
    for (const Served& s : served())
        if (s.asset->path.starts_with("/assets/"))
            server.Get(std::string(s.asset->path),
                       [&s](const httplib::Request& req, httplib::Response& res) { serve(s, req, res); });
}

}  // namespace kscope
