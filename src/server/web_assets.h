// The dashboard's files (web/, bundled by esbuild at build time), embedded in the binary
// by cmake/embed_web.cmake.
#pragma once

#include <span>
#include <string_view>

namespace kscope {

struct WebAsset {
    std::string_view path;          // URL path, e.g. /assets/app.js
    std::string_view content_type;
    std::string_view body;
};

std::span<const WebAsset> web_assets();

}  // namespace kscope
