#include "sinks/json_writer.h"

#include <cmath>

#include <fmt/format.h>

namespace kscope {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 if invalid.
size_t utf8_sequence(std::string_view s, size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return 0;
    if (i + len > s.size())
        return 0;
    for (size_t k = 1; k < len; k++) {
        auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    size_t i = 0;
    while (i < s.size()) {
        // Copy the run of bytes that need nothing in one append.
        size_t run = i;
        while (run < s.size()) {
            auto c = static_cast<unsigned char>(s[run]);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
                break;
            run++;
        }
        out.append(s.data() + i, run - i);
        i = run;
        if (i == s.size())
            break;
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            size_t len = utf8_sequence(s, i);
            if (len == 0) {
                out += "\\ufffd";
                i++;
            } else {
                out.append(s.data() + i, len);
                i += len;
            }
            continue;
        }
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default: fmt::format_to(std::back_inserter(out), "\\u{:04x}", c);
        }
        i++;
    }
    out += '"';
}

void JsonWriter::separator() {
    if (depth_ == 0)
        return;
    if (!first_[depth_ - 1])
        out_ += ',';
    first_[depth_ - 1] = false;
}

void JsonWriter::open(char c) {
    out_ += c;
    first_[depth_++] = true;
}

void JsonWriter::key(std::string_view k) {
    separator();
    append_json_string(out_, k);
    out_ += ':';
}

JsonWriter& JsonWriter::begin_object() {
    separator();
    open('{');
    return *this;
}

JsonWriter& JsonWriter::end_object() {
    out_ += '}';
    depth_--;
    return *this;
}

JsonWriter& JsonWriter::begin_object(std::string_view k) {
    key(k);
    open('{');
    return *this;
}

JsonWriter& JsonWriter::begin_array() {
    separator();
    open('[');
    return *this;
}

JsonWriter& JsonWriter::begin_array(std::string_view k) {
    key(k);
    open('[');
    return *this;
}

JsonWriter& JsonWriter::end_array() {
    out_ += ']';
    depth_--;
    return *this;
}

JsonWriter& JsonWriter::field(std::string_view k, std::string_view value) {
    key(k);
    append_json_string(out_, value);
    return *this;
}

JsonWriter& JsonWriter::field(std::string_view k, int64_t value) {
    key(k);
    fmt::format_to(std::back_inserter(out_), "{}", value);
    return *this;
}

JsonWriter& JsonWriter::field(std::string_view k, uint64_t value) {
    key(k);
    fmt::format_to(std::back_inserter(out_), "{}", value);
    return *this;
}

JsonWriter& JsonWriter::field(std::string_view k, double value) {
    key(k);
    fmt::format_to(std::back_inserter(out_), "{}", std::isfinite(value) ? std::round(value * 100) / 100 : 0.0);
    return *this;
}

JsonWriter& JsonWriter::field(std::string_view k, bool value) {
    key(k);
    out_ += value ? "true" : "false";
    return *this;
}

JsonWriter& JsonWriter::element(std::string_view value) {
    separator();
    append_json_string(out_, value);
    return *this;
}

}  // namespace kscope
