#include "tui/top_screen.h"

#include <ncurses.h>

#include <ctime>

#include <fmt/format.h>

namespace kscope::top {
namespace {

const char* kViewNames[] = {"processes", "programs", "alerts"};

std::string clock_text(uint64_t ts_ns) {
    const time_t t = time_t(ts_ns / 1'000'000'000ull);
    tm local{};
    localtime_r(&t, &local);
    char buf[16];
    strftime(buf, sizeof buf, "%H:%M:%S", &local);
    return buf;
}

// Writes text at (y, x), cut to the screen's width.
void put(int y, int x, const std::string& text) {
    if (y >= LINES || x >= COLS)
        return;
    mvaddnstr(y, x, text.c_str(), COLS - x);
}

std::string process_header() {
    return fmt::format("{:>7} {:<15} {:>6} {:>7} {:>6} {:>7} {:>7} {:>7} {:>7}", "PID", "COMM", "CPU%", "SYSC/s",
                       "ERR/s", "RX/s", "TX/s", "READ/s", "WRITE/s");
}

std::string process_line(const ProcessRow& r) {
    return fmt::format("{:>7} {:<15.15} {:>6.1f} {:>7} {:>6} {:>7} {:>7} {:>7} {:>7}", r.pid, r.comm, r.cpu_pct,
                       short_rate(r.syscalls_ps), short_rate(r.errors_ps), short_rate(r.rx_bps), short_rate(r.tx_bps),
                       short_rate(r.read_bps), short_rate(r.write_bps));
}

}  // namespace

Screen::Screen() {
    initscr();
    cbreak();
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
}

Screen::~Screen() {
    curs_set(1);
    endwin();
}

int Screen::key(int timeout_ms) {
    timeout(timeout_ms);
    return getch();
}

void Screen::draw(const Status& s, const std::vector<ProcessRow>& processes, const std::vector<ProgramRow>& programs,
                  const std::vector<AlertRow>& alerts) {
    erase();
    std::string header = fmt::format("kscope top  {}  every {:.1f}s  view: {}", clock_text(uint64_t(time(nullptr)) * 1'000'000'000ull),
                                     s.interval_s, kViewNames[int(s.view)]);
    if (s.view == View::Processes)
        header += fmt::format("  sort: {}{}", sort_key_name(s.options.sort),
                              s.options.filter.empty() ? "" : "  filter: " + s.options.filter);
    attron(A_BOLD);
    put(0, 0, header);
    attroff(A_BOLD);
    put(1, 0, s.view == View::Processes ? "q quit  1/2/3 view  c s e r t R W p n sort  / filter  +/- interval"
                                        : "q quit  1/2/3 view  +/- interval");
    int y = 2;
    if (s.prompting) {
        put(y++, 0, "filter (command name contains, Enter to apply, Esc to clear): " + s.prompt);
    } else if (!s.note.empty()) {
        put(y++, 0, s.note);
    }
    std::vector<std::string> lines;
    std::string columns;
    switch (s.view) {
        case View::Processes:
            columns = process_header();
            for (const auto& r : processes)
                lines.push_back(process_line(r));
            break;
        case View::Programs:
            columns = fmt::format("{:>6} {:<14} {:<16} {:>9} {:>8} {:>6}", "ID", "TYPE", "NAME", "RUNS/s", "NS/RUN", "CPU%");
            for (const auto& r : programs)
                lines.push_back(fmt::format("{:>6} {:<14.14} {:<16.16} {:>9} {:>8.0f} {:>6.2f}", r.id, r.type, r.name,
                                            short_rate(r.runs_ps), r.ns_per_run, r.cpu_pct));
            break;
        case View::Alerts:
            columns = fmt::format("{:<8} {:<9} {:<16} {:<7} {}", "TIME", "PRIORITY", "PROCESS", "ACTION", "RULE: OUTPUT");
            for (const auto& a : alerts)
                lines.push_back(fmt::format("{:<8} {:<9.9} {:<16.16} {:<7.7} {}: {}", clock_text(a.ts_ns), a.priority,
                                            a.pid ? fmt::format("{}({})", a.comm, a.pid) : a.source, a.action, a.rule,
                                            a.output));
            break;
    }
    attron(A_REVERSE);
    put(y, 0, fmt::format("{:<{}}", columns, std::max(COLS, 1)));
    attroff(A_REVERSE);
    y++;
    for (size_t i = 0; i < lines.size() && y < LINES; i++)
        put(y++, 0, lines[i]);
    if (lines.empty() && y < LINES)
        put(y, 0, s.view == View::Alerts ? "(no alerts)" : "(nothing yet)");
    refresh();
}

std::string process_table(const std::vector<ProcessRow>& rows, size_t limit) {
    std::string out = process_header() + "\n";
    for (size_t i = 0; i < rows.size() && (limit == 0 || i < limit); i++)
        out += process_line(rows[i]) + "\n";
    return out;
}

}  // namespace kscope::top
