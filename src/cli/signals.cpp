#include "cli/signals.h"

#include <csignal>

namespace kscope {
namespace {

std::atomic<bool> g_stop{false};
std::atomic<bool> g_reload{false};

void on_stop_signal(int) { g_stop = true; }
void on_reload_signal(int) { g_reload = true; }

}  // namespace

const std::atomic<bool>& install_stop_signals() {
    struct sigaction sa {};
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    signal(SIGPIPE, SIG_IGN);
    return g_stop;
}

std::atomic<bool>& install_reload_signal() {
    struct sigaction sa {};
    sa.sa_handler = on_reload_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, nullptr);
    return g_reload;
}

}  // namespace kscope
