// Where the text of a rule's condition came from, so that a position inside the
// condition (as the parser and checker report it) names a file, line and column.
// A condition may be several pieces: a folded YAML scalar, `append`ed text, and the text
// generated from exceptions (located at the exception's entry).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "rules/condition_ast.h"

namespace kscope::rules {

// A place in a rules file, 1-based.
struct SourceLoc {
    std::string file;
    int line = 0;
    int column = 0;
    std::string text() const;  // "rules.yaml:12:5"
};

// A loaded file's bytes, shared by the pieces that point into it.
struct FileText {
    std::string name;
    std::string bytes;
};

class TextOrigin {
public:
    // Adds `piece` (a YAML scalar's value) at the end of the combined text; `raw_offset`
    // is where the scalar starts in the file.
    void add_scalar(std::string_view piece, std::shared_ptr<const FileText> file, size_t raw_offset);
    // Adds generated text that is located, as a whole, at `loc`.
    void add_generated(std::string_view piece, SourceLoc loc);
    // Adds text that maps nowhere new (a separator): located with the piece before it.
    void add_glue(std::string_view piece);

    // A copy with the text in parentheses (for appending `and not (...)`).
    TextOrigin parenthesized() const;

    const std::string& text() const { return text_; }
    // The file position of `pos` inside text().
    SourceLoc locate(Pos pos) const;

private:
    struct Piece {
        size_t start = 0;                       // in text_
        std::shared_ptr<const FileText> file;   // null: generated or glue
        size_t raw_offset = 0;
        SourceLoc loc;                          // for generated pieces
    };
    std::string text_;
    std::vector<Piece> pieces_;
};

// 1-based line and column of a byte offset in a file.
SourceLoc loc_of(const FileText& file, size_t offset);

}  // namespace kscope::rules
