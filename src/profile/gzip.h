// gzip streams in memory (pprof files are gzipped protobufs), over zlib.
#pragma once

#include <string>
#include <string_view>

#include "util/result.h"

namespace kscope {

std::string gzip_compress(std::string_view data);
// A gzip stream back to its bytes; an error for anything that is not valid gzip.
Result<std::string> gzip_decompress(std::string_view data);
// Whether data starts with the gzip magic bytes.
bool is_gzip(std::string_view data);

}  // namespace kscope
