// kscope filetop: reads and writes per process and file every interval (like BCC filetop).
#include "cli/commands.h"
#include "cli/interval_tool.h"
#include "probes/filetop_probe.h"
#include "sinks/file_io_report.h"

namespace kscope {

void register_filetop_command(CLI::App& app, int& exit_code) {
    add_interval_command(app, "filetop",
                         "reads and writes per process and file, every interval (regular files, sockets, pipes)", "",
                         exit_code, 20, [](const IntervalFlags& f, const SessionOptions& options) {
                             FiletopProbe probe;
                             return run_snapshot_tool(
                                 probe, f, options,
                                 [&](const FileSnapshot& before, const FileSnapshot& now) {
                                     return file_io_rows(before, now, f.top);
                                 },
                                 append_file_io_json, append_file_io_table);
                         });
}

}  // namespace kscope
