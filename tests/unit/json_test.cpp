#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "events/names.h"
#include "sinks/event_json.h"
#include "sinks/json_writer.h"

namespace kscope {
namespace {

std::string json_quoted(std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

TEST(JsonString, EscapesControlAndQuotes) {
    EXPECT_EQ(json_quoted("a\"b\\c\n\t\x01"), "\"a\\\"b\\\\c\\n\\t\\u0001\"");
}

TEST(JsonString, KeepsValidUtf8AndReplacesInvalidBytes) {
    EXPECT_EQ(json_quoted("h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80"), "\"h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80\"");
    EXPECT_EQ(json_quoted("bad\xff!"), "\"bad\\ufffd!\"");
    EXPECT_EQ(json_quoted("cut\xe2\x9c"), "\"cut\\ufffd\\ufffd\"");
    EXPECT_EQ(json_quoted("\xc0\xaf"), "\"\\ufffd\\ufffd\"");  // overlong '/'
    EXPECT_EQ(json_quoted("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");  // surrogate
    // Whatever the bytes, the result parses.
    std::string all;
    for (int c = 1; c < 256; c++)
        all += static_cast<char>(c);
    EXPECT_NO_THROW(nlohmann::json::parse(json_quoted(all)));
}

TEST(EventJson, ExecFollowsTheContract) {
    ExecEvent e;
    e.common = {.ts_ns = 1700000000000000000ULL, .pid = 10, .tid = 11, .ppid = 1, .uid = 0, .comm = "ls",
                .cgroup_id = 5, .container_id = ""};
    e.filename = "/nope";
    e.argv = {"ls", "", "a b"};
    e.ret = -2;
    std::string out;
    append_event_json(out, Event(e));
    auto j = nlohmann::json::parse(out);
    // The contract's common fields, in order, then the event's own.
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it)
        keys.push_back(it.key());
    auto pos = [&](const std::string& k) { return out.find("\"" + k + "\":"); };
    std::vector<std::string> order = {"type", "ts", "pid", "tid", "ppid", "uid", "gid", "comm", "cgroup_id", "container_id"};
    for (size_t i = 1; i < order.size(); i++)
        EXPECT_LT(pos(order[i - 1]), pos(order[i])) << order[i];
    EXPECT_EQ(j["type"], "exec");
    EXPECT_EQ(j["ts"], 1700000000000000000ULL);
    EXPECT_EQ(j["argv"], nlohmann::json::array({"ls", "", "a b"}));
    EXPECT_EQ(j["ret"], -2);
    EXPECT_EQ(j["error"], "ENOENT");
    EXPECT_EQ(j["syscall"], "execve");
}

TEST(EventJson, ExitFields) {
    ExitEvent e;
    e.common.pid = 3;
    e.signal = 9;
    e.duration_ns = 12;
    std::string out;
    append_event_json(out, Event(e));
    auto j = nlohmann::json::parse(out);
    EXPECT_EQ(j["type"], "exit");
    EXPECT_EQ(j["signal"], 9);
    EXPECT_EQ(j["signal_name"], "SIGKILL");
    EXPECT_EQ(j["exit_code"], 0);
    EXPECT_EQ(j["duration_ns"], 12);
}

TEST(Names, ErrnoAndSignals) {
    EXPECT_EQ(errno_name(-2), "ENOENT");
    EXPECT_EQ(errno_name(13), "EACCES");
    EXPECT_EQ(errno_name(0), "");
    EXPECT_EQ(errno_name(4000), "E4000");
    EXPECT_EQ(errno_name(-516), "ERESTART_RESTARTBLOCK");
    EXPECT_EQ(signal_name(9), "SIGKILL");
    EXPECT_EQ(signal_name(15), "SIGTERM");
    EXPECT_EQ(signal_name(0), "");
}

}  // namespace
}  // namespace kscope
