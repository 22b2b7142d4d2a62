// Waiting on conditions with a deadline (never a fixed sleep), and reading a running
// kscope's JSON output as it grows.
#pragma once

#include <unistd.h>

#include <chrono>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace kscope::test {

// Polls cond every step until it holds (true) or timeout passes (false).
inline bool eventually(const std::function<bool()>& cond, std::chrono::milliseconds timeout,
                       std::chrono::milliseconds step = std::chrono::milliseconds(20)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (cond())
            return true;
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        usleep(useconds_t(std::chrono::duration_cast<std::chrono::microseconds>(step).count()));
    }
}

// The complete JSON lines written so far by a running kscope (stdout in a file); a last
// line still being written is left out.
inline std::vector<nlohmann::json> complete_json_lines(const Kscope& k) {
    std::vector<nlohmann::json> out;
    std::istringstream in(k.stdout_text());
    std::string line;
    while (std::getline(in, line)) {
        if (in.eof())
            break;  // no newline yet: partial
        if (line.empty())
            continue;
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded())
            out.push_back(std::move(j));
    }
    return out;
}

// True once the running kscope has printed an event of type for pid.
inline bool has_event(const Kscope& k, const std::string& type, pid_t pid) {
    return !events_for(complete_json_lines(k), type, pid).empty();
}

}  // namespace kscope::test
