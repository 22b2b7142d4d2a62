#include "exporters/webhook_exporter.h"

#include <httplib.h>

#include <fmt/format.h>

namespace kscope {

std::string post_json(const HttpUrl& url, const std::string& body, const std::string& bearer_token) {
    httplib::Client client(url.origin);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(10, 0);
    httplib::Headers headers = {{"User-Agent", "kscope"}};
    if (!bearer_token.empty())
        headers.emplace("Authorization", "Bearer " + bearer_token);
    auto res = client.Post(url.path, headers, body, "application/json");
    if (!res)
        return fmt::format("POST {}{}: {}", url.origin, url.path, httplib::to_string(res.error()));
    if (res->status / 100 != 2)
        return fmt::format("POST {}{}: HTTP {} {}", url.origin, url.path, res->status, res->body.substr(0, 200));
    return "";
}

WebhookExporter::WebhookExporter(WebhookConfig config, ExporterLimits limits)
    : Exporter("webhook", std::move(limits)), config_(std::move(config)), url_(parse_http_url(config_.url).value()) {}

Exporter::Delivery WebhookExporter::deliver(const std::vector<OutRecord>& records) {
    std::string body = "[";
    for (size_t i = 0; i < records.size(); i++)
        body += (i ? "," : "") + records[i].body;
    body += "]";
    Delivery d;
    d.error = post_json(url_, body, config_.bearer_token);
    if (d.error.empty())
        d.delivered = records.size();
    return d;
}

}  // namespace kscope
