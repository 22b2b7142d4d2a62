// Runs the real kscope binary as a child, waits until it has attached, collects its
// output; plus helpers that make the real events (exec, exit) from a forked child.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace kscope::test {

// Skips the test loudly when not root: these tests load BPF programs.
#define REQUIRE_ROOT()                                                                      \
    do {                                                                                    \
        if (geteuid() != 0)                                                                 \
            GTEST_SKIP() << "SKIPPED: integration tests load BPF programs and need root"; \
    } while (0)

class Kscope {
public:
    // Starts `kscope <args>` with stdout into a temporary file (or a pipe when
    // stdout_pipe) and waits for its "tracing" line on stderr.
    // env: extra NAME=value pairs for the child's environment.
    // ready_text: the stderr line that says it is running.
    explicit Kscope(std::vector<std::string> args, bool stdout_pipe = false, std::vector<std::string> env = {},
                    const std::string& ready_text = "tracing");
    ~Kscope();

    bool ready() const { return ready_; }
    pid_t pid() const { return pid_; }
    // SIGINT, wait; returns the exit status (as from waitpid).
    int stop(int sig = 2);
    // Waits for a self-terminating run (--count/--duration); -1 on timeout.
    int wait_exit(std::chrono::milliseconds timeout);
    std::string stdout_text() const;
    std::string stderr_text() const { return err_; }
    // Reads stderr until it holds text; false after timeout.
    bool wait_stderr(const std::string& text, std::chrono::milliseconds timeout) {
        drain_stderr(timeout, text);
        return err_.find(text) != std::string::npos;
    }
    std::vector<nlohmann::json> json_lines() const;
    // Reads one line from the stdout pipe, waiting at most timeout; "" on timeout.
    std::string read_line(std::chrono::milliseconds timeout);

private:
    void drain_stderr(std::chrono::milliseconds timeout, const std::string& until);

    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    std::string out_path_;
    std::string err_;
    std::string pipe_buf_;
    bool ready_ = false;
    bool exited_ = false;
    int status_ = 0;
};

// A fresh directory under /tmp, removed with all it holds when the test ends (also when
// an assertion ends it early).
class TempDir {
public:
    explicit TempDir(const std::string& prefix);
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// fork(); the child runs fn and _exit(0)s if fn returns. Returns the child's pid.
pid_t spawn(const std::function<void()>& fn);
// waitpid; returns the raw status.
int wait_child(pid_t pid);
// execve(path, argv) with an empty environment from this (forked) process; _exit(127)
// if it fails.
[[noreturn]] void exec_now(const std::string& path, const std::vector<std::string>& argv);
// fork + exec_now(path, argv); returns the child's pid after it has been reaped.
pid_t run_exec(const std::string& path, const std::vector<std::string>& argv);

// Events from lines whose "type" is type and "pid" is pid.
std::vector<nlohmann::json> events_for(const std::vector<nlohmann::json>& all, const std::string& type,
                                       pid_t pid);
// The first event whose "type" is type and "pid" is pid (every line must have both);
// nullptr if none.
const nlohmann::json* find_event(const std::vector<nlohmann::json>& all, const std::string& type, pid_t pid);

// How a command run by /bin/sh ended, and what it printed.
struct ShellResult {
    int status = -1;   // as from waitpid; -1 if it could not be started
    std::string text;  // stdout and stderr, in the order written
};
// Runs `<cmd> 2>&1` with /bin/sh (popen): its stdout and stderr together.
ShellResult run_shell(const std::string& cmd);
// What `<cmd> 2>&1` printed: run_shell(cmd).text.
std::string shell(const std::string& cmd);
// What cmd printed on stdout alone, run with /bin/sh; its stderr goes to the test's.
std::string shell_stdout(const std::string& cmd);

// A free TCP port on 127.0.0.1 (bound once and released).
uint16_t free_port();

}  // namespace kscope::test
