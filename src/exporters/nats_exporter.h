// Events to NATS JetStream, one subject per event type (<prefix>.<type>), each published
// with its record id as Nats-Msg-Id so a retry after a lost acknowledgement is dropped by
// the server's duplicate window: delivered exactly once. The stream is created if missing.
#pragma once

#include "exporters/exporter.h"

struct __natsConnection;
struct __jsCtx;

namespace kscope {

struct NatsConfig {
    std::string url = "nats://127.0.0.1:4222";
    std::string subject_prefix = "kscope.events";
    std::string stream = "KSCOPE";
    bool operator==(const NatsConfig&) const = default;
};

class NatsExporter final : public Exporter {
public:
    NatsExporter(NatsConfig config, ExporterLimits limits);

protected:
    Delivery deliver(const std::vector<OutRecord>& records) override;
    void close() override;

private:
    std::string connect();  // "" when connected
    NatsConfig config_;
    __natsConnection* conn_ = nullptr;
    __jsCtx* js_ = nullptr;
};

}  // namespace kscope
