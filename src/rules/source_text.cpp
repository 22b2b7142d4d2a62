#include "rules/source_text.h"

#include <algorithm>

namespace kscope::rules {

std::string SourceLoc::text() const {
    return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

SourceLoc loc_of(const FileText& file, size_t offset) {
    offset = std::min(offset, file.bytes.size());
    SourceLoc loc{file.name, 1, 1};
    for (size_t i = 0; i < offset; i++) {
        if (file.bytes[i] == '\n') {
            loc.line++;
            loc.column = 1;
        } else {
            loc.column++;
        }
    }
    return loc;
}

void TextOrigin::add_scalar(std::string_view piece, std::shared_ptr<const FileText> file, size_t raw_offset) {
    pieces_.push_back({text_.size(), std::move(file), raw_offset, {}});
    text_ += piece;
}

void TextOrigin::add_generated(std::string_view piece, SourceLoc loc) {
    pieces_.push_back({text_.size(), nullptr, 0, std::move(loc)});
    text_ += piece;
}

void TextOrigin::add_glue(std::string_view piece) { text_ += piece; }

TextOrigin TextOrigin::parenthesized() const {
    TextOrigin out = *this;
    out.text_ = "(" + text_ + ")";
    for (auto& p : out.pieces_) p.start++;
    return out;
}

SourceLoc TextOrigin::locate(Pos pos) const {
    // The position's byte offset in text_.
    size_t offset = 0;
    for (int line = 1; line < pos.line && offset < text_.size(); offset++)
        if (text_[offset] == '\n') line++;
    offset = std::min(offset + std::max(pos.column - 1, 0), text_.size());
    if (pieces_.empty()) return {};
    auto it = std::upper_bound(pieces_.begin(), pieces_.end(), offset,
                               [](size_t o, const Piece& p) { return o < p.start; });
    const Piece& piece = it == pieces_.begin() ? pieces_.front() : *std::prev(it);
    if (!piece.file) return piece.loc;
    // Walk the value and the file side by side: the file has what YAML took away (quotes,
    // escapes, folded line breaks and indentation), so skip file bytes until they agree.
    const std::string& raw = piece.file->bytes;
    size_t r = piece.raw_offset;
    for (size_t i = piece.start; i < offset && r < raw.size(); i++) {
        size_t look = r;
        while (look < raw.size() && raw[look] != text_[i]) look++;
        if (look == raw.size()) break;  // not found: stay at the last match
        r = look + 1;
    }
    if (offset < text_.size())
        while (r < raw.size() && raw[r] != text_[offset]) r++;
    return loc_of(*piece.file, r);
}

}  // namespace kscope::rules
