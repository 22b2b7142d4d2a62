#include "agent/process_metrics.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace kscope {

void append_process_metrics(PrometheusText& m) {
    std::ifstream stat("/proc/self/stat");
    std::string line;
    std::getline(stat, line);
    // Fields after the ")" that ends comm: state is field 3; utime 14, stime 15, starttime 22.
    const auto close = line.rfind(')');
    if (close == std::string::npos)
        return;
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    double utime = 0, stime = 0, start_ticks = 0;
    for (int i = 3; i <= 22 && rest >> field; i++) {
        if (i == 14) utime = std::stod(field);
        if (i == 15) stime = std::stod(field);
        if (i == 22) start_ticks = std::stod(field);
    }
    const double ticks = double(sysconf(_SC_CLK_TCK));
    long rss_pages = 0;
    std::ifstream statm("/proc/self/statm");
    long size_pages = 0;
    statm >> size_pages >> rss_pages;
    double boot_time = 0;
    std::ifstream proc_stat("/proc/stat");
    for (std::string l; std::getline(proc_stat, l);)
        if (l.rfind("btime ", 0) == 0)
            boot_time = std::stod(l.substr(6));
    m.family("process_cpu_seconds_total", "counter", "user and system CPU time of the agent")
        .sample("process_cpu_seconds_total", (utime + stime) / ticks);
    m.family("process_resident_memory_bytes", "gauge", "resident memory of the agent")
        .sample("process_resident_memory_bytes", double(rss_pages) * double(sysconf(_SC_PAGESIZE)));
    m.family("process_start_time_seconds", "gauge", "start time of the agent, seconds since the epoch")
        .sample("process_start_time_seconds", boot_time + start_ticks / ticks);
}

}  // namespace kscope
