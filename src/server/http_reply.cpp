#include "server/http_reply.h"

#include <httplib.h>

#include "profile/gzip.h"

namespace kscope {
namespace {

constexpr size_t kCompressFrom = 1024;

// A content provider with a length: cpp-httplib sends it as it is, uncompressed.
void send(httplib::Response& res, std::shared_ptr<const std::string> body, const std::string& content_type) {
    const size_t size = body->size();
    res.set_content_provider(size, content_type, [body](size_t offset, size_t length, httplib::DataSink& sink) {
        return sink.write(body->data() + offset, length);
    });
}

}  // namespace

bool accepts_gzip(const httplib::Request& req) {
    return req.get_header_value("Accept-Encoding").find("gzip") != std::string::npos;
}

void reply(const httplib::Request& req, httplib::Response& res, std::string body, const std::string& content_type) {
    res.set_header("Vary", "Accept-Encoding");
    if (body.size() >= kCompressFrom && accepts_gzip(req)) {
        res.set_header("Content-Encoding", "gzip");
        send(res, std::make_shared<const std::string>(gzip_compress(body)), content_type);
        return;
    }
    if (body.empty()) {  // a provider of length 0 is taken for a chunked one
        res.set_content("", content_type);
        return;
    }
    send(res, std::make_shared<const std::string>(std::move(body)), content_type);
}

void reply_precompressed(const httplib::Request& req, httplib::Response& res, std::shared_ptr<const std::string> plain,
                         std::shared_ptr<const std::string> gzipped, const std::string& content_type) {
    res.set_header("Vary", "Accept-Encoding");
    if (gzipped && !gzipped->empty() && accepts_gzip(req)) {
        res.set_header("Content-Encoding", "gzip");
        send(res, std::move(gzipped), content_type);
        return;
    }
    send(res, std::move(plain), content_type);
}

}  // namespace kscope
