// Alerts to Alertmanager's v2 API (POST /api/v2/alerts). It takes alerts only, not the
// event stream; the rules engine will raise them, `POST /api/v1/alerts/test` sends one now.
#pragma once

#include <map>

#include "exporters/exporter.h"
#include "exporters/remote_write.h"

namespace kscope {

struct AlertmanagerConfig {
    std::string url;  // http(s)://host:9093
    std::string bearer_token;
    bool operator==(const AlertmanagerConfig&) const = default;
};

struct Alert {
    std::map<std::string, std::string> labels;       // alertname, severity, ...
    std::map<std::string, std::string> annotations;  // summary, description
    uint64_t starts_at_ns = 0;
};

// One alert in the v2 API's JSON form (RFC 3339 startsAt).
std::string alertmanager_json(const Alert& alert);

class AlertmanagerExporter final : public Exporter {
public:
    AlertmanagerExporter(AlertmanagerConfig config, ExporterLimits limits);
    bool wants_events() const override { return false; }  // alerts only
    void send(const Alert& alert) { enqueue(OutRecord{.type = "alert", .body = alertmanager_json(alert)}); }

protected:
    Delivery deliver(const std::vector<OutRecord>& records) override;

private:
    AlertmanagerConfig config_;
    HttpUrl url_;
};

}  // namespace kscope
