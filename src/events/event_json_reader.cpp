#include "events/event_json_reader.h"

#include <charconv>

namespace kscope::event_json {
namespace {

// A value for an error message, cut short when long.
std::string shown(const nlohmann::json& v) {
    std::string s = v.dump();
    if (s.size() > 40)
        s = s.substr(0, 37) + "...";
    return s;
}

// The whole of s as an unsigned number in base, or false.
template <typename T>
bool whole_number(std::string_view s, int base, T& out) {
    if (s.empty())
        return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
    return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

const nlohmann::json* Reader::find(const char* key) const {
    auto it = obj_.find(key);
    return it == obj_.end() ? nullptr : &*it;
}

void Reader::fail(const char* key, const std::string& message) {
    if (!error_)
        error_ = Error{"field '" + std::string(key) + "': " + message};
}

void Reader::wrong_type(const char* key, const char* expected, const nlohmann::json& v) {
    fail(key, std::string("expected ") + expected + ", got " + shown(v));
}

bool Reader::text(const char* key, std::string& out) {
    const nlohmann::json* v = find(key);
    if (!v)
        return false;
    if (!v->is_string()) {
        wrong_type(key, "a string", *v);
        return false;
    }
    out = v->get_ref<const std::string&>();
    return true;
}

bool Reader::flag(const char* key, bool& out) {
    const nlohmann::json* v = find(key);
    if (!v)
        return false;
    if (!v->is_boolean()) {
        wrong_type(key, "true or false", *v);
        return false;
    }
    out = v->get<bool>();
    return true;
}

bool Reader::real(const char* key, double& out) {
    const nlohmann::json* v = find(key);
    if (!v)
        return false;
    if (!v->is_number()) {
        wrong_type(key, "a number", *v);
        return false;
    }
    out = v->get<double>();
    return true;
}

bool Reader::strings(const char* key, std::vector<std::string>& out) {
    const nlohmann::json* v = find(key);
    if (!v)
        return false;
    if (!v->is_array()) {
        wrong_type(key, "an array of strings", *v);
        return false;
    }
    std::vector<std::string> values;
    values.reserve(v->size());
    for (const auto& s : *v) {
        if (!s.is_string()) {
            wrong_type(key, "an array of strings", s);
            return false;
        }
        values.push_back(s.get<std::string>());
    }
    out = std::move(values);
    return true;
}

bool Reader::hex(const char* key, uint64_t& out) {
    std::string s;
    if (!text(key, s))
        return false;
    uint64_t n = 0;
    if (!s.starts_with("0x") || !whole_number(std::string_view(s).substr(2), 16, n)) {
        fail(key, "'" + s + "' is not a hex number (0x...)");
        return false;
    }
    out = n;
    return true;
}

bool Reader::octal(const char* key, uint32_t& out) {
    std::string s;
    if (!text(key, s))
        return false;
    uint32_t n = 0;
    if (!s.empty() && !whole_number(std::string_view(s), 8, n)) {
        fail(key, "'" + s + "' is not an octal mode");
        return false;
    }
    out = n;
    return true;
}

bool Reader::known(const char* key, const char*& out, std::span<const char* const> known) {
    std::string s;
    if (!text(key, s))
        return false;
    if (s.empty()) {
        out = "";
        return true;
    }
    for (const char* k : known)
        if (s == k) {
            out = k;
            return true;
        }
    fail(key, "unknown value '" + s + "'");
    return false;
}

void Reader::common(CommonFields& c) {
    number("ts", c.ts_ns);
    number("pid", c.pid);
    number("tid", c.tid);
    number("ppid", c.ppid);
    number("uid", c.uid);
    number("gid", c.gid);
    text("comm", c.comm);
    number("cgroup_id", c.cgroup_id);
    text("container_id", c.container_id);
}

}  // namespace kscope::event_json
