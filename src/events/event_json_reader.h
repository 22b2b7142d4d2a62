// Reading one event's JSON object back into its struct (event_from_json's helpers, shared by
// its per-family files). Each getter leaves the target alone when the key is missing; the
// first problem is kept as the error ("field 'pid': ..."), later ones are ignored.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/event.h"
#include "util/result.h"

namespace kscope::event_json {

class Reader {
public:
    explicit Reader(const nlohmann::json& object) : obj_(object) {}

    // The value at key, or null when it is missing (then nothing is read).
    const nlohmann::json* find(const char* key) const;

    // Each returns true when the key was present and its value read into out.
    bool text(const char* key, std::string& out);
    bool flag(const char* key, bool& out);
    bool real(const char* key, double& out);
    bool strings(const char* key, std::vector<std::string>& out);
    template <std::integral T>
    bool number(const char* key, T& out);
    // "0x1f" (the hex the writer prints for capabilities, CLONE_* / MS_* flags, addresses).
    bool hex(const char* key, uint64_t& out);
    // "0755" (modes); "" is 0.
    bool octal(const char* key, uint32_t& out);
    // One of `known` (or "", every such field's default): out points at that static
    // literal, never into the JSON. Anything else: "field 'key': unknown value 'v'".
    bool known(const char* key, const char*& out, std::span<const char* const> known);

    // type, ts, pid, tid, ppid, uid, gid, comm, cgroup_id, container_id (type is the caller's).
    void common(CommonFields& c);

    // Records "field 'key': message" unless an error is already recorded.
    void fail(const char* key, const std::string& message);
    bool failed() const { return error_.has_value(); }
    const Error& error() const { return *error_; }

    // The struct built, or the first error.
    template <typename E>
    Result<Event> finish(E&& event) const {
        if (error_)
            return *error_;
        return Event(std::forward<E>(event));
    }

private:
    void wrong_type(const char* key, const char* expected, const nlohmann::json& v);

    const nlohmann::json& obj_;
    std::optional<Error> error_;
};

template <std::integral T>
bool Reader::number(const char* key, T& out) {
    static_assert(!std::same_as<T, bool>, "use flag()");
    const nlohmann::json* v = find(key);
    if (!v)
        return false;
    if (!v->is_number_integer()) {
        wrong_type(key, "an integer", *v);
        return false;
    }
    bool fits = v->is_number_unsigned() ? std::in_range<T>(v->get<uint64_t>()) : std::in_range<T>(v->get<int64_t>());
    if (!fits) {
        fail(key, v->dump() + " is out of range");
        return false;
    }
    out = v->is_number_unsigned() ? static_cast<T>(v->get<uint64_t>()) : static_cast<T>(v->get<int64_t>());
    return true;
}

// An event parser per type family: the event for `type`, or nullopt when the family has no
// such type. Defined in event_from_json.cpp and security_event_from_json.cpp.
std::optional<Result<Event>> security_event(std::string_view type, Reader& r);

}  // namespace kscope::event_json
