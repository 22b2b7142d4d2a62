// Events in batches as a JSON array POSTed to a URL (retried with backoff via the spool).
#pragma once

#include "exporters/exporter.h"
#include "exporters/remote_write.h"

namespace kscope {

struct WebhookConfig {
    std::string url;
    std::string bearer_token;
    bool operator==(const WebhookConfig&) const = default;
};

class WebhookExporter final : public Exporter {
public:
    WebhookExporter(WebhookConfig config, ExporterLimits limits);

protected:
    Delivery deliver(const std::vector<OutRecord>& records) override;

private:
    WebhookConfig config_;
    HttpUrl url_;
};

// POSTs the records' bodies as one JSON array; all delivered on a 2xx answer, none
// otherwise. Shared by the HTTP exporters.
Exporter::Delivery post_json_array(const HttpUrl& url, const std::vector<OutRecord>& records,
                                   const std::string& bearer_token);

}  // namespace kscope
