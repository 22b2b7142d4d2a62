// Runs `kscope agent` for a test: its own data directory and a free port, HTTP helpers.
#pragma once

#include <memory>
#include <string>

#include "harness.h"

namespace kscope::test {

class Agent {
public:
    // config: YAML written to the data directory ("" = built-in defaults). data_dir: reuse
    // one (restart tests); "" = a fresh temporary one, removed at the end.
    explicit Agent(const std::string& config = "", std::string data_dir = "");
    ~Agent();
    bool ready() const { return k_ && k_->ready() && port_ != 0; }
    Kscope& process() { return *k_; }
    uint16_t port() const { return port_; }
    const std::string& data_dir() const { return dir_; }
    // GET on the agent; returns the status and fills body.
    int get(const std::string& path, std::string& body) const;
    // One sample's value on /metrics (series with its labels), -1 if absent.
    double metric(const std::string& series) const;
    // Polls metric(series) until it equals want; false after seconds.
    bool wait_metric(const std::string& series, double want, int seconds) const;

private:
    std::unique_ptr<Kscope> k_;
    std::string dir_;
    bool own_dir_ = false;
    uint16_t port_ = 0;
};

// GET http://127.0.0.1:port/path; the status (0 if no answer) and the body.
int http_get(uint16_t port, const std::string& path, std::string& body);
// The same over HTTPS, trusting ca_cert, with an optional bearer token.
int https_get(uint16_t port, const std::string& path, std::string& body, const std::string& ca_cert,
              const std::string& token = "");
// A copy of /bin/true named `name` in dir, so its execs have their own comm.
std::string true_named(const std::string& dir, const std::string& name);

}  // namespace kscope::test
