// Alerts to Alertmanager's v2 API (POST /api/v2/alerts): the rules engine's alert events
// from the stream (other events are not for it), and `POST /api/v1/alerts/test`.
#pragma once

#include <map>

#include "exporters/exporter.h"
#include "exporters/remote_write.h"

namespace kscope {

struct AlertmanagerConfig {
    std::string url;  // http(s)://host:9093
    std::string bearer_token;
    uint64_t resolve_after_s = 300;  // endsAt = startsAt + this: the alert resolves unless raised again
    bool operator==(const AlertmanagerConfig&) const = default;
};

struct Alert {
    std::map<std::string, std::string> labels;       // alertname, severity, ...
    std::map<std::string, std::string> annotations;  // summary, description
    uint64_t starts_at_ns = 0;
    uint64_t ends_at_ns = 0;  // 0: none (Alertmanager's resolve_timeout applies)
};

// A rule's alert event as an Alertmanager alert: labels alertname (the rule), priority,
// host, container_id, tags; annotations summary (the output), description, rule.
Alert alertmanager_alert(const AlertEvent& event, const std::string& host, uint64_t resolve_after_s);

// One alert in the v2 API's JSON form (RFC 3339 startsAt).
std::string alertmanager_json(const Alert& alert);

class AlertmanagerExporter final : public Exporter {
public:
    AlertmanagerExporter(AlertmanagerConfig config, ExporterLimits limits);
    // From the event stream it takes the rules' alert events only.
    void write_json(const Event& event, const std::string& json) override;
    void send(const Alert& alert) { enqueue(OutRecord{.type = "alert", .body = alertmanager_json(alert)}); }

protected:
    Delivery deliver(const std::vector<OutRecord>& records) override;

private:
    AlertmanagerConfig config_;
    HttpUrl url_;
    std::string host_;
};

}  // namespace kscope
