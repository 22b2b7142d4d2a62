#include "exporters/webhook_exporter.h"

#include <httplib.h>

#include <fmt/format.h>

namespace kscope {

Exporter::Delivery post_json_array(const HttpUrl& url, const std::vector<OutRecord>& records,
                                   const std::string& bearer_token) {
    std::string body = "[";
    for (size_t i = 0; i < records.size(); i++)
        body += (i ? "," : "") + records[i].body;
    body += "]";
    Exporter::Delivery d;
    httplib::Client client(url.origin);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(10, 0);
    httplib::Headers headers = {{"User-Agent", "kscope"}};
    if (!bearer_token.empty())
        headers.emplace("Authorization", "Bearer " + bearer_token);
    auto res = client.Post(url.path, headers, body, "application/json");
    if (!res)
        d.error = fmt::format("POST {}{}: {}", url.origin, url.path, httplib::to_string(res.error()));
    else if (res->status / 100 != 2)
        d.error = fmt::format("POST {}{}: HTTP {} {}", url.origin, url.path, res->status, res->body.substr(0, 200));
    else
        d.delivered = records.size();
    return d;
}

WebhookExporter::WebhookExporter(WebhookConfig config, ExporterLimits limits)
    : Exporter("webhook", std::move(limits)), config_(std::move(config)), url_(parse_http_url(config_.url).value()) {}

Exporter::Delivery WebhookExporter::deliver(const std::vector<OutRecord>& records) {
    return post_json_array(url_, records, config_.bearer_token);
}

}  // namespace kscope
