// The store's query filters as the HTTP API takes them ("type=exec&comm=sh&q=..."): any
// parameters give a query or an error naming the parameter, and a query runs against a
// real SQLite store (LIKE patterns, quotes, NULs in the text) without a crash.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "server/http_server.h"
#include "store/event_store.h"
#include "store/profile_store.h"

namespace {

std::map<std::string, std::string> split(std::string_view s) {
    std::map<std::string, std::string> out;
    while (!s.empty()) {
        const size_t amp = s.find('&');
        std::string_view kv = s.substr(0, amp);
        const size_t eq = kv.find('=');
        out[std::string(kv.substr(0, eq))] = eq == std::string_view::npos ? "" : std::string(kv.substr(eq + 1));
        if (amp == std::string_view::npos)
            break;
        s.remove_prefix(amp + 1);
    }
    return out;
}

struct Stores {
    Stores() {
        dir = "/tmp/kscope-fuzz-store-" + std::to_string(getpid());
        std::filesystem::create_directories(dir);
        events = std::move(kscope::EventStore::open(dir).value());
        profiles = std::move(kscope::ProfileStore::open(dir).value());
        (void)events->append({{1'700'000'000'000'000'000, "exec", 1, "sh", "", R"({"type":"exec","comm":"sh"})"},
                              {1'700'000'000'100'000'000, "alert", 2, "nc", "abc",
                               R"({"type":"alert","rule":"r","priority":"Warning"})"}});
        (void)profiles->append({{1'700'000'000'000'000'000, 1, "sh", "", "main;work", 3}});
    }
    ~Stores() { std::filesystem::remove_all(dir); }
    std::string dir;
    std::unique_ptr<kscope::EventStore> events;
    std::unique_ptr<kscope::ProfileStore> profiles;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static Stores stores;
    const auto params = split(std::string_view(reinterpret_cast<const char*>(data), size));
    auto param = [&](const std::string& k, std::string& out) {
        auto it = params.find(k);
        if (it == params.end())
            return false;
        out = it->second;
        return true;
    };
    if (auto q = kscope::event_query_from_params(param))
        (void)stores.events->query(*q);
    if (auto p = kscope::profile_query_from_params(param))
        (void)stores.profiles->query(*p);
    return 0;
}
