// Result<T>: a value or an Error that carries a readable message with context.
// Library code returns these instead of throwing or returning bare error codes.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace kscope {

struct Error {
    std::string message;  // one sentence a user can act on
    int code = 0;         // errno when there is one, else 0

    // Prepends context: "loading probe exec: <message>".
    Error context(const std::string& what) const { return Error{what + ": " + message, code}; }
};

template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error err) : v_(std::move(err)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error err) : err_(std::move(err)), failed_(true) {}

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const Error& error() const { return err_; }

private:
    Error err_;
    bool failed_ = false;
};

// An Error from a -errno style return code: "<what>: <strerror>".
Error errno_error(const std::string& what, int err);

}  // namespace kscope
