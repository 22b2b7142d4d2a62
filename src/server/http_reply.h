// Response bodies the way the agent sends them: gzipped when the client accepts it and it
// pays, else as they are, and never through cpp-httplib's own compression (Brotli at its
// highest quality: about 85 ms of CPU for one /metrics page, on every browser poll).
#pragma once

#include <memory>
#include <string>

namespace httplib {
struct Request;
struct Response;
}  // namespace httplib

namespace kscope {

bool accepts_gzip(const httplib::Request& req);
// body, gzipped on the fly when accepted and over a kilobyte.
void reply(const httplib::Request& req, httplib::Response& res, std::string body, const std::string& content_type);
// A body compressed ahead (gzipped may be empty: not worth it).
void reply_precompressed(const httplib::Request& req, httplib::Response& res, std::shared_ptr<const std::string> plain,
                         std::shared_ptr<const std::string> gzipped, const std::string& content_type);

}  // namespace kscope
