// kscope top's terminal: ncurses, set up by the constructor and restored by the
// destructor (so every way out of the loop, an exception included, gives the terminal
// back). It draws what it is given; the loop and the numbers live elsewhere.
#pragma once

#include <string>
#include <vector>

#include "tui/top_model.h"
#include "tui/top_sources.h"

namespace kscope::top {

enum class View { Processes, Programs, Alerts };

struct Status {
    View view = View::Processes;
    double interval_s = 1;
    ViewOptions options;
    bool prompting = false;       // typing a filter
    std::string prompt;           // what was typed so far
    std::string note;             // a line under the header (unavailable probes, agent errors)
    size_t cpus = 1;
};

class Screen {
public:
    Screen();
    ~Screen();
    Screen(const Screen&) = delete;
    Screen& operator=(const Screen&) = delete;

    // The next key within timeout_ms (ERR: none); KEY_RESIZE after a resize.
    int key(int timeout_ms);
    void draw(const Status& s, const std::vector<ProcessRow>& processes, const std::vector<ProgramRow>& programs,
              const std::vector<AlertRow>& alerts);
};

// The same rows as text (kscope top --batch), one table per refresh.
std::string process_table(const std::vector<ProcessRow>& rows, size_t limit);

}  // namespace kscope::top
