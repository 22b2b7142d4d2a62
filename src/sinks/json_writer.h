// A small streaming JSON writer for the hot output path: appends to a string, escapes
// strings, and turns invalid UTF-8 into U+FFFD so every line is valid JSON.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace kscope {

class JsonWriter {
public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    JsonWriter& begin_object();
    // A nested object as the value of key.
    JsonWriter& begin_object(std::string_view key);
    JsonWriter& end_object();
    JsonWriter& begin_array(std::string_view key);
    // A top-level array, or one as an array element.
    JsonWriter& begin_array();
    JsonWriter& end_array();

    JsonWriter& field(std::string_view key, std::string_view value);
    JsonWriter& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
    JsonWriter& field(std::string_view key, int64_t value);
    JsonWriter& field(std::string_view key, uint64_t value);
    JsonWriter& field(std::string_view key, int32_t value) { return field(key, int64_t(value)); }
    JsonWriter& field(std::string_view key, uint32_t value) { return field(key, uint64_t(value)); }
    JsonWriter& field(std::string_view key, bool value);
    // Rounded to two decimals; NaN and infinities (not JSON) are written as 0.
    JsonWriter& field(std::string_view key, double value);
    // An array element.
    JsonWriter& element(std::string_view value);

private:
    void separator();
    void key(std::string_view k);
    void open(char c);

    static constexpr size_t kMaxDepth = 16;  // events nest two levels; this is plenty
    std::string& out_;
    bool first_[kMaxDepth] = {};  // per open container: nothing written yet
    size_t depth_ = 0;
};

// Appends s as a quoted JSON string.
void append_json_string(std::string& out, std::string_view s);

}  // namespace kscope
