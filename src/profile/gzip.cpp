#include "profile/gzip.h"

#include <zlib.h>

namespace kscope {
namespace {

constexpr int kGzipWindow = 15 + 16;  // zlib: 15-bit window, gzip header and trailer

}  // namespace

std::string gzip_compress(std::string_view data) {
    z_stream z{};
    deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindow, 8, Z_DEFAULT_STRATEGY);
    std::string out(deflateBound(&z, static_cast<uLong>(data.size())) + 32, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    deflate(&z, Z_FINISH);  // the buffer holds deflateBound: one call finishes
    out.resize(z.total_out);
    deflateEnd(&z);
    return out;
}

Result<std::string> gzip_decompress(std::string_view data) {
    z_stream z{};
    if (inflateInit2(&z, kGzipWindow) != Z_OK)
        return Error{"zlib could not start inflating"};
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    z.avail_in = static_cast<uInt>(data.size());
    std::string out;
    char buf[1 << 16];
    int rc = Z_OK;
    while (rc == Z_OK) {
        z.next_out = reinterpret_cast<Bytef*>(buf);
        z.avail_out = sizeof buf;
        rc = inflate(&z, Z_NO_FLUSH);
        out.append(buf, sizeof buf - z.avail_out);
        if (rc == Z_BUF_ERROR && z.avail_in == 0)
            break;  // input ended before the stream did
    }
    const std::string why = z.msg ? std::string(": ") + z.msg : "";
    inflateEnd(&z);
    if (rc != Z_STREAM_END)
        return Error{"not a complete gzip stream" + why};
    return out;
}

bool is_gzip(std::string_view data) {
    return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f && static_cast<unsigned char>(data[1]) == 0x8b;
}

}  // namespace kscope
