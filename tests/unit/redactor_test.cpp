// Secrets in command lines: every built-in pattern, what must stay, configured patterns,
// the process table's filter, idempotence and the count.
#include <gtest/gtest.h>

#include "redact/redactor.h"

namespace kscope {
namespace {

std::vector<std::string> redacted(std::vector<std::string> argv, size_t* count = nullptr) {
    auto r = Redactor::make({}).value();
    const size_t n = r->redact_argv(argv);
    if (count)
        *count = n;
    return argv;
}

using V = std::vector<std::string>;

TEST(Redactor, FlagsWhoseNextArgumentIsSecret) {
    size_t n = 0;
    EXPECT_EQ(redacted({"mysql", "--password", "hunter2", "-u", "root"}, &n), (V{"mysql", "--password", "***", "-u", "root"}));
    EXPECT_EQ(n, 1u);
    EXPECT_EQ(redacted({"tool", "--api-key", "k1", "--token", "t1", "--client-secret", "s1"}),
              (V{"tool", "--api-key", "***", "--token", "***", "--client-secret", "***"}));
    EXPECT_EQ(redacted({"x", "-PASSWORD", "p"}), (V{"x", "-PASSWORD", "***"}));
    EXPECT_EQ(redacted({"x", "--token", "dGVzdA==", "--password", "a=b", "--secret", "--verbose"}),
              (V{"x", "--token", "***", "--password", "***", "--secret", "--verbose"}));
    // Not secrets: a flag that only looks alike, ports, the flag last.
    EXPECT_EQ(redacted({"ssh", "-p", "2222", "--author", "me"}), (V{"ssh", "-p", "2222", "--author", "me"}));
    EXPECT_EQ(redacted({"x", "--password"}), (V{"x", "--password"}));
    EXPECT_EQ(redacted({"x", "--password-file", "/run/pw", "author=bob", "apiKey=k"}),
              (V{"x", "--password-file", "/run/pw", "author=bob", "apiKey=***"}));
}

TEST(Redactor, KeyValuePairsUrlsAwsKeysAndBearerTokens) {
    EXPECT_EQ(redacted({"x", "--password=hunter2", "DB_PASSWORD=pw", "token=abc&user=bob"}),
              (V{"x", "--password=***", "DB_PASSWORD=***", "token=***&user=bob"}));
    EXPECT_EQ(redacted({"psql", "postgres://app:s3cr3t@db:5432/x"}), (V{"psql", "postgres://app:***@db:5432/x"}));
    EXPECT_EQ(redacted({"aws", "AKIAIOSFODNN7EXAMPLE", "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI"}),
              (V{"aws", "***", "AWS_SECRET_ACCESS_KEY=***"}));
    EXPECT_EQ(redacted({"curl", "-H", "Authorization: Bearer eyJhbGciOi.xyz", "https://x"}),
              (V{"curl", "-H", "Authorization: Bearer ***", "https://x"}));
    EXPECT_EQ(redacted({"x", "api_key=1 secret=2 passphrase=3"}), (V{"x", "api_key=*** secret=*** passphrase=***"}));
    // Left alone: no value, ordinary words, URLs without a password.
    EXPECT_EQ(redacted({"ls", "-la", "/etc/passwd", "https://user@host/x", "mode=fast", "password="}),
              (V{"ls", "-la", "/etc/passwd", "https://user@host/x", "mode=fast", "password="}));
}

TEST(Redactor, TwiceIsOnceAndTheCountIsOfEvents) {
    auto r = Redactor::make({}).value();
    ExecEvent e;
    e.argv = {"mysql", "--password", "hunter2", "password=x"};
    Event ev(e);
    EXPECT_EQ(r->redact(ev), 2u);
    EXPECT_EQ(r->redacted(), 2u);
    EXPECT_EQ(r->redact(ev), 0u);  // already ***
    EXPECT_EQ(std::get<ExecEvent>(ev).argv, (V{"mysql", "--password", "***", "password=***"}));
    std::vector<std::string> argv = {"x", "token=abc"};
    EXPECT_EQ(r->redact_argv(argv), 1u);
    EXPECT_EQ(r->redacted(), 2u);  // the process table's command lines are not events
    OpenEvent o;
    Event oe(o);
    EXPECT_EQ(r->redact(oe), 0u);
}

TEST(Redactor, ConfiguredPatterns) {
    auto r = Redactor::make({"(?i)pin:(\\d+)", "sk_live_[A-Za-z0-9]+"}).value();
    std::string s = "pay pin:1234 with sk_live_abcDEF and --password=x";
    EXPECT_EQ(r->redact_text(s), 3u);
    EXPECT_EQ(s, "pay pin:*** with *** and --password=***");
    // Only the configured ones.
    auto only = Redactor::make({"pin:(\\d+)"}, false).value();
    std::vector<std::string> argv = {"x", "--password", "p", "pin:9"};
    EXPECT_EQ(only->redact_argv(argv), 1u);
    EXPECT_EQ(argv, (V{"x", "--password", "p", "pin:***"}));
    // Bad patterns are refused, saying which.
    auto bad = Redactor::make({"(unclosed"});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.error().message.find("'(unclosed'"), std::string::npos) << bad.error().message;
    auto two = Redactor::make({"(a)(b)"});
    ASSERT_FALSE(two.ok());
    EXPECT_NE(two.error().message.find("at most one capture group"), std::string::npos);
}

}  // namespace
}  // namespace kscope
