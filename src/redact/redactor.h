// Secrets in command lines, redacted before any event leaves the pipeline (events, the
// process table that fills alerts and their ancestry, the store, the exporters):
//   --password X, --token=X, -api-key X ...  the value after a secret-named flag;
//   password=X, token=X, api_key=X, secret=X  (in any argument: URLs, env-like, DSNs);
//   scheme://user:X@host                       a URL's password;
//   AKIA/ASIA + 16 characters                  AWS access key ids;
//   Bearer X                                   bearer tokens.
// Each becomes "***". More patterns come from the configuration: RE2, the first capture
// group (or the whole match without one) is replaced.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "events/event.h"
#include "util/result.h"

namespace re2 {
class RE2;
}

namespace kscope {

inline constexpr std::string_view kRedacted = "***";

class Redactor {
public:
    // extra: more patterns (an error names the one RE2 refuses); builtin: the list above.
    static Result<std::shared_ptr<Redactor>> make(const std::vector<std::string>& extra, bool builtin = true);
    ~Redactor();

    // Redacts the event's command line (exec argv); returns how many secrets it replaced.
    size_t redact(Event& event) const;
    // Redacts an argv in place (the process table's, read from /proc); the count.
    size_t redact_argv(std::vector<std::string>& argv) const;
    // One string (an argument, a command line); the count.
    size_t redact_text(std::string& text) const;

    // Secrets replaced in events so far (kscope_redactions_total).
    uint64_t redacted() const { return redacted_.load(std::memory_order_relaxed); }

private:
    Redactor() = default;
    bool secret_flag(const std::string& arg) const;

    std::vector<std::unique_ptr<re2::RE2>> patterns_;  // replace group 1, or the whole match
    std::unique_ptr<re2::RE2> flag_;                   // a flag whose next argument is secret
    mutable std::atomic<uint64_t> redacted_{0};
};

}  // namespace kscope
