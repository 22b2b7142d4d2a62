// SIGINT/SIGTERM set a flag every tool's loop watches; SIGPIPE is ignored so a closed
// reader shows up as EPIPE and the tool ends cleanly.
#pragma once

#include <atomic>

namespace kscope {

const std::atomic<bool>& install_stop_signals();
// SIGHUP sets the flag (the agent's reload); the caller clears it when it has reloaded.
std::atomic<bool>& install_reload_signal();

}  // namespace kscope
