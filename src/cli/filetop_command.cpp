// kscope filetop: reads and writes per process and file every interval (like BCC filetop).
#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/interval_tool.h"
#include "probes/filetop_probe.h"
#include "sinks/file_io_report.h"

namespace kscope {

void register_filetop_command(CLI::App& app, int& exit_code) {
    struct Flags {
        CommonFlags common;
        double interval_s = 1.0;
        size_t top = 20;
    };
    auto f = std::make_shared<Flags>();
    CLI::App* cmd = app.add_subcommand(
        "filetop", "reads and writes per process and file, every interval (regular files, sockets, pipes)");
    add_common_flags(*cmd, f->common);
    cmd->add_option("-i,--interval", f->interval_s, "seconds between reports")->check(CLI::PositiveNumber);
    cmd->add_option("--top", f->top, "rows per report (0: all)");
    cmd->final_callback([f, &exit_code] {
        auto options = session_options(f->common);
        if (!options) {
            fmt::print(stderr, "kscope filetop: {}\n", options.error().message);
            exit_code = 2;
            return;
        }
        FiletopProbe probe;
        FileSnapshot previous;
        exit_code = run_interval_tool(probe, f->common, *options, f->interval_s,
                                      [&](std::string& out, uint64_t ts_ns) -> Result<void> {
                                          auto snap = probe.snapshot();
                                          if (!snap)
                                              return snap.error();
                                          auto rows = file_io_rows(previous, *snap, f->top);
                                          if (f->common.json)
                                              append_file_io_json(out, ts_ns, rows);
                                          else
                                              append_file_io_table(out, ts_ns, rows);
                                          probe.forget_exited(*snap);
                                          previous = std::move(*snap);
                                          return {};
                                      });
    });
}

}  // namespace kscope
