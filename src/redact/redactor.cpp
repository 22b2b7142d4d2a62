#include "redact/redactor.h"

#include <re2/re2.h>

namespace kscope {
namespace {

// Names that mark a value as secret, in flags and in key=value pairs.
constexpr const char* kSecretWords =
    "password|passwd|passphrase|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|"
    "credentials?|auth";

std::vector<std::string> builtin_patterns() {
    const std::string words = kSecretWords;
    return {
        // key=value, the key's last word a secret word (db_password=, AWS_SECRET_ACCESS_KEY=,
        // apiKey=), not one that only starts with one (author=, password_file=).
        "(?i)(?:^|[^A-Za-z0-9])(?:[A-Za-z0-9.]+[_-])*(?:" + words + ")=([^&\\s;,]+)",
        // A URL's password: scheme://user:password@host.
        "[A-Za-z][A-Za-z0-9+.-]*://[^/\\s:@]*:([^@/\\s]+)@",
        // AWS access key ids.
        "\\b((?:AKIA|ASIA)[0-9A-Z]{16})\\b",
        // Bearer tokens (an Authorization header on a curl command line).
        "(?i)\\bbearer\\s+([A-Za-z0-9._~+/=-]+)",
    };
}

}  // namespace

Redactor::~Redactor() = default;

Result<std::shared_ptr<Redactor>> Redactor::make(const std::vector<std::string>& extra, bool builtin) {
    std::shared_ptr<Redactor> r(new Redactor());
    std::vector<std::string> all = builtin ? builtin_patterns() : std::vector<std::string>{};
    all.insert(all.end(), extra.begin(), extra.end());
    for (size_t i = 0; i < all.size(); i++) {
        auto re = std::make_unique<re2::RE2>(all[i], re2::RE2::Quiet);
        if (!re->ok())
            return Error{"redaction pattern '" + all[i] + "': " + re->error()};
        if (re->NumberOfCapturingGroups() > 1)
            return Error{"redaction pattern '" + all[i] + "': at most one capture group (the part replaced)"};
        r->patterns_.push_back(std::move(re));
    }
    if (builtin)
        r->flag_ = std::make_unique<re2::RE2>(std::string("(?i)^--?(?:[A-Za-z0-9]+[_-])*(?:") + kSecretWords + ")$");
    return r;
}

size_t Redactor::redact_text(std::string& text) const {
    size_t n = 0;
    for (const auto& re : patterns_) {
        const int groups = re->NumberOfCapturingGroups();
        const re2::StringPiece input(text);
        std::string out;
        size_t copied = 0, from = 0;  // text[copied..] is not in out yet; the next search starts at from
        re2::StringPiece m[2];
        while (from <= text.size() && re->Match(input, from, text.size(), re2::RE2::UNANCHORED, m, groups + 1)) {
            const size_t start = size_t(m[0].data() - text.data()), end = start + m[0].size();
            const re2::StringPiece secret = groups ? m[1] : m[0];
            if (secret.data() && !secret.empty() && std::string_view(secret.data(), secret.size()) != kRedacted) {
                const size_t at = size_t(secret.data() - text.data());
                out.append(text, copied, at - copied);
                out += kRedacted;
                copied = at + secret.size();
                n++;
            }
            from = end > start ? end : end + 1;  // an empty match must not stop the walk
        }
        if (copied == 0)
            continue;  // this pattern replaced nothing
        out.append(text, copied);
        text = std::move(out);
    }
    return n;
}

bool Redactor::secret_flag(const std::string& arg) const { return flag_ && re2::RE2::FullMatch(arg, *flag_); }

size_t Redactor::redact_argv(std::vector<std::string>& argv) const {
    size_t n = 0;
    for (size_t i = 0; i < argv.size(); i++) {
        // The value after a secret flag, unless it is the next flag (base64 may end in '=').
        if (i > 0 && secret_flag(argv[i - 1]) && !argv[i].empty() && argv[i] != kRedacted && argv[i][0] != '-') {
            argv[i] = std::string(kRedacted);  // --password hunter2
            n++;
            continue;
        }
        n += redact_text(argv[i]);
    }
    return n;
}

size_t Redactor::redact(Event& event) const {
    auto* e = std::get_if<ExecEvent>(&event);
    if (!e)
        return 0;
    const size_t n = redact_argv(e->argv);
    if (n)
        redacted_.fetch_add(n, std::memory_order_relaxed);
    return n;
}

}  // namespace kscope
