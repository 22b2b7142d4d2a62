#include "exporters/nats_exporter.h"

#include <nats/nats.h>

#include <fmt/format.h>

namespace kscope {

NatsExporter::NatsExporter(NatsConfig config, ExporterLimits limits)
    : Exporter("nats", std::move(limits)), config_(std::move(config)) {}

std::string NatsExporter::connect() {
    if (conn_ && natsConnection_Status(conn_) == NATS_CONN_STATUS_CONNECTED)
        return "";
    close();
    natsOptions* opts = nullptr;
    natsOptions_Create(&opts);
    natsOptions_SetURL(opts, config_.url.c_str());
    natsOptions_SetTimeout(opts, 2000);
    // Reconnection is ours (through the spool), not the library's buffering.
    natsOptions_SetAllowReconnect(opts, false);
    natsStatus s = natsConnection_Connect(&conn_, opts);
    natsOptions_Destroy(opts);
    if (s != NATS_OK) {
        conn_ = nullptr;
        return fmt::format("connecting to {}: {}", config_.url, natsStatus_GetText(s));
    }
    if ((s = natsConnection_JetStream(&js_, conn_, nullptr)) != NATS_OK)
        return fmt::format("JetStream on {}: {}", config_.url, natsStatus_GetText(s));
    // The stream for our subjects, if nobody made it yet.
    jsStreamInfo* info = nullptr;
    jsErrCode jerr = jsErrCode(0);
    if (js_GetStreamInfo(&info, js_, config_.stream.c_str(), nullptr, &jerr) == NATS_OK) {
        jsStreamInfo_Destroy(info);
        return "";
    }
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = config_.stream.c_str();
    const std::string subjects = config_.subject_prefix + ".>";
    const char* subj[] = {subjects.c_str()};
    cfg.Subjects = subj;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    if ((s = js_AddStream(&info, js_, &cfg, nullptr, &jerr)) != NATS_OK)
        return fmt::format("creating stream {}: {} ({})", config_.stream, natsStatus_GetText(s), int(jerr));
    jsStreamInfo_Destroy(info);
    return "";
}

Exporter::Delivery NatsExporter::deliver(const std::vector<OutRecord>& records) {
    Delivery d;
    if ((d.error = connect()) != "")
        return d;
    for (const auto& r : records) {
        jsPubOptions po;
        jsPubOptions_Init(&po);
        po.MsgId = r.msg_id.c_str();
        po.MaxWait = 2000;
        const std::string subject = config_.subject_prefix + "." + r.type;
        jsPubAck* ack = nullptr;
        jsErrCode jerr = jsErrCode(0);
        natsStatus s = js_Publish(&ack, js_, subject.c_str(), r.body.data(), int(r.body.size()), &po, &jerr);
        if (s != NATS_OK) {
            d.error = fmt::format("publishing to {}: {}", subject, natsStatus_GetText(s));
            close();  // reconnect next time
            return d;
        }
        jsPubAck_Destroy(ack);
        d.delivered++;
    }
    return d;
}

void NatsExporter::close() {
    if (js_)
        jsCtx_Destroy(js_);
    js_ = nullptr;
    if (conn_)
        natsConnection_Destroy(conn_);
    conn_ = nullptr;
}

}  // namespace kscope
