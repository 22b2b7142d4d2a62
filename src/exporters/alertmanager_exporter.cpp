#include "exporters/alertmanager_exporter.h"

#include <ctime>

#include <fmt/format.h>

#include "exporters/webhook_exporter.h"
#include "sinks/json_writer.h"

namespace kscope {

std::string alertmanager_json(const Alert& a) {
    const time_t secs = time_t(a.starts_at_ns / 1'000'000'000);
    tm utc{};
    gmtime_r(&secs, &utc);
    char when[32];
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &utc);
    std::string out;
    JsonWriter w(out);
    w.begin_object().begin_object("labels");
    for (const auto& [k, v] : a.labels)
        w.field(k, v);
    w.end_object().begin_object("annotations");
    for (const auto& [k, v] : a.annotations)
        w.field(k, v);
    w.end_object().field("startsAt", fmt::format("{}.{:03d}Z", when, (a.starts_at_ns / 1'000'000) % 1000)).end_object();
    return out;
}

AlertmanagerExporter::AlertmanagerExporter(AlertmanagerConfig config, ExporterLimits limits)
    : Exporter("alertmanager", std::move(limits)), config_(std::move(config)) {
    url_ = parse_http_url(config_.url).value();
    url_.path = (url_.path == "/" ? "" : url_.path) + "/api/v2/alerts";
}

Exporter::Delivery AlertmanagerExporter::deliver(const std::vector<OutRecord>& records) {
    return post_json_array(url_, records, config_.bearer_token);  // the v2 API takes an array of alerts
}

}  // namespace kscope
