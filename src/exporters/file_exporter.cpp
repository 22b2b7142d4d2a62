#include "exporters/file_exporter.h"

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace kscope {

FileExporter::FileExporter(FileExporterConfig config, ExporterLimits limits)
    : Exporter("file", std::move(limits)), config_(std::move(config)) {}

bool FileExporter::rotate() {
    if (file_)
        std::fclose(file_);
    file_ = nullptr;
    std::error_code ec;
    for (unsigned i = config_.keep; i >= 1; i--) {
        const std::string from = i == 1 ? config_.path : config_.path + "." + std::to_string(i - 1);
        if (std::filesystem::exists(from, ec))
            std::filesystem::rename(from, config_.path + "." + std::to_string(i), ec);
    }
    return true;
}

Exporter::Delivery FileExporter::deliver(const std::vector<OutRecord>& records) {
    Delivery d;
    for (const auto& r : records) {
        if (file_ && size_ + r.body.size() + 1 > config_.max_bytes && size_ > 0)
            rotate();
        if (!file_) {
            std::error_code ec;
            std::filesystem::create_directories(std::filesystem::path(config_.path).parent_path(), ec);
            file_ = std::fopen(config_.path.c_str(), "a");
            if (!file_) {
                d.error = "cannot open " + config_.path + ": " + std::strerror(errno);
                return d;
            }
            size_ = std::filesystem::file_size(config_.path, ec);
        }
        if (std::fwrite(r.body.data(), 1, r.body.size(), file_) != r.body.size() || std::fputc('\n', file_) == EOF) {
            d.error = "writing " + config_.path + ": " + std::strerror(errno);
            return d;
        }
        size_ += r.body.size() + 1;
        d.delivered++;
    }
    if (file_ && std::fflush(file_) != 0)
        d.error = "writing " + config_.path + ": " + std::strerror(errno);
    return d;
}

void FileExporter::close() {
    if (file_)
        std::fclose(file_);
    file_ = nullptr;
}

}  // namespace kscope
