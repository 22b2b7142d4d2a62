// The agent's configuration YAML: any bytes give a config or an error naming the place,
// never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "agent/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto c = kscope::parse_agent_config(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
    if (!c && c.error().message.find("fuzz.yaml") == std::string::npos)
        __builtin_trap();  // every refusal names the file
    return 0;
}
