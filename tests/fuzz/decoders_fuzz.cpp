// Raw ring-buffer records, for every probe's decoder: the first byte picks the probe, the
// rest is the record. A short, long or lying record is an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "enforce/enforce_probe.h"
#include "probes/registry.h"

namespace {

std::vector<std::unique_ptr<kscope::Probe>> every_decoder() {
    auto all = kscope::make_all_probes();
    all.push_back(std::make_unique<kscope::enforce::EnforceProbe>());  // alerts the kernel raised
    return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const auto probes = every_decoder();
    if (size < 1)
        return 0;
    const auto& probe = probes[data[0] % probes.size()];
    // A copy of exactly the record's size, so reading past it is caught.
    std::vector<std::byte> record(size - 1);
    if (size > 1)
        std::memcpy(record.data(), data + 1, size - 1);
    kscope::DecodeContext ctx;
    ctx.boot_to_epoch_ns = 1'700'000'000'000'000'000;
    (void)probe->decode(kscope::RawEvent(record.data(), record.size()), ctx);
    return 0;
}
