#include "events/open_flags.h"

#include <fcntl.h>
#include <linux/openat2.h>

#include <fmt/format.h>

#include <charconv>
#include <utility>

namespace kscope {
namespace {

// Values from the C library's headers for this architecture, never typed by hand.
constexpr std::pair<uint64_t, const char*> kOpenFlags[] = {
    {O_CREAT, "O_CREAT"},         {O_EXCL, "O_EXCL"},         {O_NOCTTY, "O_NOCTTY"},
    {O_TRUNC, "O_TRUNC"},         {O_APPEND, "O_APPEND"},     {O_NONBLOCK, "O_NONBLOCK"},
    {O_DSYNC, "O_DSYNC"},         {O_ASYNC, "O_ASYNC"},       {O_DIRECT, "O_DIRECT"},
    {O_LARGEFILE, "O_LARGEFILE"}, {O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"},
    {O_NOATIME, "O_NOATIME"},     {O_CLOEXEC, "O_CLOEXEC"},   {O_PATH, "O_PATH"},
};

constexpr std::pair<uint64_t, const char*> kResolveFlags[] = {
    {RESOLVE_NO_XDEV, "RESOLVE_NO_XDEV"},         {RESOLVE_NO_MAGICLINKS, "RESOLVE_NO_MAGICLINKS"},
    {RESOLVE_NO_SYMLINKS, "RESOLVE_NO_SYMLINKS"}, {RESOLVE_BENEATH, "RESOLVE_BENEATH"},
    {RESOLVE_IN_ROOT, "RESOLVE_IN_ROOT"},         {RESOLVE_CACHED, "RESOLVE_CACHED"},
};

void append(std::string& out, const char* name) {
    if (!out.empty())
        out += '|';
    out += name;
}

// "0x1f" -> 0x1f; nothing else.
bool parse_hex(std::string_view s, uint64_t& out) {
    if (s.size() < 3 || s[0] != '0' || s[1] != 'x')
        return false;
    auto [end, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), out, 16);
    return ec == std::errc() && end == s.data() + s.size();
}

// Each '|'-separated token through name_value (false: not a name), else a 0x number.
template <typename NameValue>
Result<uint64_t> parse_flags(std::string_view text, NameValue name_value) {
    uint64_t flags = 0;
    if (text.empty())
        return flags;
    for (;;) {
        size_t bar = text.find('|');
        std::string_view token = text.substr(0, bar);
        uint64_t v = 0;
        if (!name_value(token, v) && !parse_hex(token, v))
            return Error{"unknown flag '" + std::string(token) + "'"};
        flags |= v;
        if (bar == std::string_view::npos)
            return flags;
        text.remove_prefix(bar + 1);
    }
}

}  // namespace

Result<uint64_t> parse_open_flags(std::string_view text) {
    return parse_flags(text, [](std::string_view name, uint64_t& v) {
        static constexpr std::pair<uint64_t, const char*> kSpecial[] = {
            {O_RDONLY, "O_RDONLY"}, {O_WRONLY, "O_WRONLY"},   {O_RDWR, "O_RDWR"},
            {O_ACCMODE, "O_ACCMODE"}, {O_TMPFILE, "O_TMPFILE"}, {O_SYNC, "O_SYNC"},
        };
        for (auto [bit, n] : kSpecial)
            if (name == n) {
                v = bit;
                return true;
            }
        for (auto [bit, n] : kOpenFlags)
            if (name == n) {
                v = bit;
                return true;
            }
        return false;
    });
}

Result<uint64_t> parse_resolve_flags(std::string_view text) {
    return parse_flags(text, [](std::string_view name, uint64_t& v) {
        for (auto [bit, n] : kResolveFlags)
            if (name == n) {
                v = bit;
                return true;
            }
        return false;
    });
}

bool open_creates(uint64_t flags) { return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE; }

std::string open_flags_text(uint64_t flags) {
    std::string out;
    switch (flags & O_ACCMODE) {
    case O_RDONLY: out = "O_RDONLY"; break;
    case O_WRONLY: out = "O_WRONLY"; break;
    case O_RDWR: out = "O_RDWR"; break;
    default: out = "O_ACCMODE"; break;
    }
    uint64_t rest = flags & ~uint64_t(O_ACCMODE);
    // Composite flags first, so their parts are not printed twice.
    if ((rest & O_TMPFILE) == O_TMPFILE) {
        append(out, "O_TMPFILE");
        rest &= ~uint64_t(O_TMPFILE);
    }
    if ((rest & O_SYNC) == O_SYNC) {
        append(out, "O_SYNC");
        rest &= ~uint64_t(O_SYNC);
    }
    for (auto [bit, name] : kOpenFlags) {
        if (rest & bit) {
            append(out, name);
            rest &= ~bit;
        }
    }
    if (rest)
        append(out, fmt::format("0x{:x}", rest).c_str());
    return out;
}

std::string resolve_flags_text(uint64_t flags) {
    std::string out;
    for (auto [bit, name] : kResolveFlags) {
        if (flags & bit) {
            append(out, name);
            flags &= ~bit;
        }
    }
    if (flags)
        append(out, fmt::format("0x{:x}", flags).c_str());
    return out;
}

}  // namespace kscope
