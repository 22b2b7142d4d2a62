#include "harness.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace kscope::test {
namespace {

// popen(cmd) and all it writes to stdout.
ShellResult read_command(const std::string& cmd) {
    ShellResult out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p)
        return out;
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0)
        out.text.append(buf.data(), n);
    out.status = pclose(p);
    return out;
}

}  // namespace

TempDir::TempDir(const std::string& prefix) {
    std::string tmpl = "/tmp/" + prefix + "-XXXXXX";
    if (!mkdtemp(tmpl.data()))
        throw std::runtime_error("mkdtemp");
    path_ = tmpl;
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

Kscope::Kscope(std::vector<std::string> args, bool stdout_pipe, std::vector<std::string> env,
               const std::string& ready_text) {
    int err_pipe[2], out_pipe[2] = {-1, -1};
    if (pipe2(err_pipe, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe");
    int out_file = -1;
    if (stdout_pipe) {
        if (pipe2(out_pipe, O_CLOEXEC) != 0)
            throw std::runtime_error("pipe");
    } else {
        char tmpl[] = "/tmp/kscope-test-out-XXXXXX";
        out_file = mkstemp(tmpl);
        out_path_ = tmpl;
    }
    pid_ = fork();
    if (pid_ == 0) {
        dup2(stdout_pipe ? out_pipe[1] : out_file, 1);
        dup2(err_pipe[1], 2);
        for (const auto& kv : env)
            putenv(const_cast<char*>(kv.c_str()));
        std::vector<char*> argv;
        std::string bin = KSCOPE_BINARY;
        argv.push_back(bin.data());
        for (auto& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(bin.c_str(), argv.data());
        _exit(127);
    }
    close(err_pipe[1]);
    err_fd_ = err_pipe[0];
    if (stdout_pipe) {
        close(out_pipe[1]);
        out_fd_ = out_pipe[0];
    } else {
        close(out_file);
    }
    drain_stderr(std::chrono::seconds(20), ready_text);
    ready_ = err_.find(ready_text) != std::string::npos;
}

Kscope::~Kscope() {
    if (pid_ > 0 && !exited_) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
    }
    if (err_fd_ >= 0)
        close(err_fd_);
    if (out_fd_ >= 0)
        close(out_fd_);
    if (!out_path_.empty())
        unlink(out_path_.c_str());
}

void Kscope::drain_stderr(std::chrono::milliseconds timeout, const std::string& until) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!until.empty() && err_.find(until) != std::string::npos)
            return;
        pollfd p{err_fd_, POLLIN, 0};
        int left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
                       .count();
        if (poll(&p, 1, std::max(left, 0)) <= 0)
            return;
        char buf[4096];
        ssize_t n = read(err_fd_, buf, sizeof buf);
        if (n <= 0)
            return;  // EOF: the process is gone
        err_.append(buf, n);
    }
}

int Kscope::stop(int sig) {
    if (exited_)
        return status_;
    kill(pid_, sig);
    return wait_exit(std::chrono::seconds(30));
}

int Kscope::wait_exit(std::chrono::milliseconds timeout) {
    if (exited_)
        return status_;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status;
        if (waitpid(pid_, &status, WNOHANG) == pid_) {
            exited_ = true;
            status_ = status;
            drain_stderr(std::chrono::milliseconds(200), "");
            return status;
        }
        drain_stderr(std::chrono::milliseconds(10), "");
    }
    return -1;
}

std::string Kscope::stdout_text() const {
    std::ifstream in(out_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::vector<nlohmann::json> Kscope::json_lines() const {
    std::vector<nlohmann::json> out;
    std::istringstream in(stdout_text());
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            out.push_back(nlohmann::json::parse(line));  // throws on a malformed line
    return out;
}

std::string Kscope::read_line(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        if (auto nl = pipe_buf_.find('\n'); nl != std::string::npos) {
            std::string line = pipe_buf_.substr(0, nl);
            pipe_buf_.erase(0, nl + 1);
            return line;
        }
        int left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now())
                       .count();
        if (left <= 0)
            return "";
        pollfd p{out_fd_, POLLIN, 0};
        if (poll(&p, 1, left) <= 0)
            return "";
        char buf[4096];
        ssize_t n = read(out_fd_, buf, sizeof buf);
        if (n <= 0)
            return "";
        pipe_buf_.append(buf, n);
    }
}

pid_t spawn(const std::function<void()>& fn) {
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(0);
    }
    return pid;
}

int wait_child(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return status;
}

void exec_now(const std::string& path, const std::vector<std::string>& args) {
    std::vector<std::string> copy = args;
    std::vector<char*> argv;
    for (auto& a : copy)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    char* envp[] = {nullptr};
    execve(path.c_str(), argv.data(), envp);
    _exit(127);
}

pid_t run_exec(const std::string& path, const std::vector<std::string>& args) {
    pid_t pid = fork();
    if (pid == 0)
        exec_now(path, args);
    wait_child(pid);
    return pid;
}

std::vector<nlohmann::json> events_for(const std::vector<nlohmann::json>& all, const std::string& type, pid_t pid) {
    std::vector<nlohmann::json> out;
    for (const auto& e : all)
        if (e.value("type", "") == type && e.value("pid", 0) == pid)
            out.push_back(e);
    return out;
}

const nlohmann::json* find_event(const std::vector<nlohmann::json>& all, const std::string& type, pid_t pid) {
    for (const auto& e : all)
        if (e["type"] == type && e["pid"] == pid)
            return &e;
    return nullptr;
}

ShellResult run_shell(const std::string& cmd) { return read_command(cmd + " 2>&1"); }

std::string shell(const std::string& cmd) { return run_shell(cmd).text; }

std::string shell_stdout(const std::string& cmd) { return read_command(cmd).text; }

uint16_t free_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    socklen_t len = sizeof sa;
    getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
    close(fd);
    return ntohs(sa.sin_port);
}

}  // namespace kscope::test
