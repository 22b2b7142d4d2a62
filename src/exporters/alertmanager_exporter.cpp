#include "exporters/alertmanager_exporter.h"

#include <unistd.h>

#include <ctime>

#include <fmt/format.h>

#include "exporters/webhook_exporter.h"
#include "sinks/json_writer.h"

namespace kscope {

namespace {

std::string rfc3339(uint64_t ns) {
    const time_t secs = time_t(ns / 1'000'000'000);
    tm utc{};
    gmtime_r(&secs, &utc);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &utc);
    return fmt::format("{}.{:03d}Z", when, (ns / 1'000'000) % 1000);
}

}  // namespace

Alert alertmanager_alert(const AlertEvent& e, const std::string& host, uint64_t resolve_after_s) {
    Alert a;
    std::string tags;
    for (const auto& t : e.tags)
        tags += (tags.empty() ? "" : ",") + t;
    a.labels = {{"alertname", e.rule},
                {"priority", e.priority},
                {"host", host},
                {"container_id", e.common.container_id},
                {"tags", tags},
                {"source", "kscope"}};
    if (!e.container_name.empty())
        a.labels["container_name"] = e.container_name;
    if (!e.container_image.empty())
        a.labels["container_image"] = e.container_image;
    if (e.source != "rule")
        a.labels["alert_source"] = e.source;  // anomaly, flood
    // What tells two alerts of one rule apart (Alertmanager merges equal label sets).
    if (!e.workload.empty())
        a.labels["workload"] = e.workload;
    if (!e.anomaly.empty())
        a.labels["anomaly"] = e.anomaly;
    if (!e.new_item.empty())
        a.labels["new_item"] = e.new_item;
    if (!e.saddr.empty()) {
        a.labels["saddr"] = e.saddr;
        a.labels["interface"] = e.interface;
        a.labels["protocol"] = e.protocol;
    }
    a.annotations = {{"summary", e.output},
                     {"description", e.output},
                     {"rule", e.rule},
                     {"process", fmt::format("{} (pid {})", e.common.comm, e.common.pid)}};
    a.starts_at_ns = e.common.ts_ns;
    if (resolve_after_s)
        a.ends_at_ns = e.common.ts_ns + resolve_after_s * 1'000'000'000;
    return a;
}

std::string alertmanager_json(const Alert& a) {
    std::string out;
    JsonWriter w(out);
    w.begin_object().begin_object("labels");
    for (const auto& [k, v] : a.labels)
        w.field(k, v);
    w.end_object().begin_object("annotations");
    for (const auto& [k, v] : a.annotations)
        w.field(k, v);
    w.end_object().field("startsAt", rfc3339(a.starts_at_ns));
    if (a.ends_at_ns)
        w.field("endsAt", rfc3339(a.ends_at_ns));
    w.end_object();
    return out;
}

AlertmanagerExporter::AlertmanagerExporter(AlertmanagerConfig config, ExporterLimits limits)
    : Exporter("alertmanager", std::move(limits)), config_(std::move(config)) {
    url_ = parse_http_url(config_.url).value();
    url_.path = (url_.path == "/" ? "" : url_.path) + "/api/v2/alerts";
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    host_ = host;
}

void AlertmanagerExporter::write_json(const Event& event, const std::string&) {
    if (const auto* a = std::get_if<AlertEvent>(&event))
        send(alertmanager_alert(*a, host_, config_.resolve_after_s));
}

Exporter::Delivery AlertmanagerExporter::deliver(const std::vector<OutRecord>& records) {
    return post_json_array(url_, records, config_.bearer_token);  // the v2 API takes an array of alerts
}

}  // namespace kscope
