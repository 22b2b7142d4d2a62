#include "agent/logging.h"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <mutex>

#include "sinks/json_writer.h"

namespace kscope {
namespace {

// {"ts":<ns since epoch>,"level":"info","msg":"..."} per line, escaped properly.
class JsonLogSink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        std::string line;
        JsonWriter w(line);
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(msg.time.time_since_epoch()).count();
        const auto level = spdlog::level::to_string_view(msg.level);
        w.begin_object()
            .field("ts", uint64_t(ns))
            .field("level", std::string(level.data(), level.size()))
            .field("msg", std::string(msg.payload.data(), msg.payload.size()))
            .end_object();
        line += '\n';
        (void)!::write(STDERR_FILENO, line.data(), line.size());
    }
    void flush_() override {}
};

}  // namespace

Result<void> setup_logging(const std::string& level, const std::string& format) {
    const auto lvl = spdlog::level::from_str(level);
    if (level != "off" && lvl == spdlog::level::off)
        return Error{"log level '" + level + "' is not one of trace, debug, info, warn, error"};
    std::shared_ptr<spdlog::logger> logger;
    if (format == "json")
        logger = std::make_shared<spdlog::logger>("kscope", std::make_shared<JsonLogSink>());
    else if (format == "text")
        logger = std::make_shared<spdlog::logger>("kscope", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    else
        return Error{"log format '" + format + "' is not text or json"};
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::trace);
    spdlog::set_default_logger(logger);
    return {};
}

}  // namespace kscope
