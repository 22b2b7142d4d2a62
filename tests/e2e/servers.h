// Real servers from Debian packages, started by the test on loopback and stopped with it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace kscope::test {

// A child process with its output in <dir>/<name>.log; SIGTERM then SIGKILL on exit.
class ServerProcess {
public:
    ServerProcess(const std::string& name, const std::vector<std::string>& argv, const std::string& dir);
    ~ServerProcess();
    void stop();
    pid_t pid() const { return pid_; }
    std::string log() const;

private:
    pid_t pid_ = -1;
    std::string log_path_;
};

// Waits until something accepts TCP connections on 127.0.0.1:port.
bool wait_tcp_open(uint16_t port, int timeout_s);
// Waits until GET path on port answers 200; false after timeout_s.
bool wait_http_ok(uint16_t port, const std::string& path, int timeout_s);

// The exec events in the KSCOPE stream of the NATS server on 127.0.0.1:port whose argv
// has three words: argv[2] (a run number) -> how many messages hold it. messages, if
// given: how many messages the stream holds in all (0 if it cannot be read).
std::map<int, int> nats_stream_runs(uint16_t port, uint64_t* messages = nullptr);

}  // namespace kscope::test
