// kscope dns: DNS queries and answers with latency, by owning process (like gethostlatency
// and dnstop's per-query view), on UDP and TCP.
#include <algorithm>

#include "cli/commands.h"
#include <fmt/format.h>

#include "cli/trace_tool.h"
#include "events/dns_message.h"

namespace kscope {

void register_dns_command(CLI::App& app, int& exit_code) {
    struct Selection {
        std::vector<uint16_t> ports;
        bool responses_only = false;
        std::vector<std::string> names;
    };
    auto sel = std::make_shared<Selection>();
    CLI::App* cmd = add_trace_command(
        app, "dns", "DNS queries and answers: name, type, rcode, addresses, latency, owning process",
        "only failed answers (rcode other than NOERROR)", exit_code,
        [sel](SessionOptions& options) {
            // The kernel program compares against at most 4 ports.
            if (sel->ports.size() > 4)
                throw CLI::ValidationError("--port", fmt::format("takes at most 4 ports ({} given)", sel->ports.size()));
            for (auto& n : sel->names)
                n = dns_name_key(n);
            options.probe.dns_ports = sel->ports;
            options.event_filter = [sel](const Event& e) {
                const auto* d = std::get_if<DnsEvent>(&e);
                if (!d)
                    return true;
                if (sel->responses_only && std::string_view(d->event) != "response")
                    return false;
                return sel->names.empty() ||
                       std::find(sel->names.begin(), sel->names.end(), dns_name_key(d->name)) != sel->names.end();
            };
        });
    cmd->add_option("--port", sel->ports, "DNS server ports to watch (default 53; up to 4)")
        ->delimiter(',')
        ->check(CLI::Range(1, 65535));
    cmd->add_flag("--responses", sel->responses_only, "answers only (each carries its query and latency)");
    cmd->add_option("--name", sel->names, "only these query names (case-insensitive, trailing dot optional, e.g. example.com)")->delimiter(',');
}

}  // namespace kscope
