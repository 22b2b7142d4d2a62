// Events as JSON lines in a file, rotated by size: path -> path.1 -> ... -> path.<keep>.
#pragma once

#include <cstdio>

#include "exporters/exporter.h"

namespace kscope {

struct FileExporterConfig {
    std::string path;
    uint64_t max_bytes = 100ull << 20;
    unsigned keep = 5;
    bool operator==(const FileExporterConfig&) const = default;
};

class FileExporter final : public Exporter {
public:
    FileExporter(FileExporterConfig config, ExporterLimits limits);

protected:
    Delivery deliver(const std::vector<OutRecord>& records) override;
    void close() override;

private:
    bool rotate();
    FileExporterConfig config_;
    FILE* file_ = nullptr;
    uint64_t size_ = 0;
};

}  // namespace kscope
