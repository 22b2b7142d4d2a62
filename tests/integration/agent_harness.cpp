#include "agent_harness.h"

#include <httplib.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace kscope::test {

Agent::Agent(const std::string& config, std::string data_dir) : dir_(std::move(data_dir)) {
    if (dir_.empty()) {
        char tmpl[] = "/tmp/kscope-agent-XXXXXX";
        dir_ = mkdtemp(tmpl);
        own_dir_ = true;
    }
    std::vector<std::string> args = {"agent", "--listen", "127.0.0.1:0", "--data-dir", dir_};
    if (!config.empty()) {
        std::ofstream(dir_ + "/agent.yaml") << config;
        args.insert(args.end(), {"--config", dir_ + "/agent.yaml"});
    }
    k_ = std::make_unique<Kscope>(args, false, std::vector<std::string>{}, "kscope agent running");
    const std::string marker = "/api/v1/events on 127.0.0.1:";
    auto at = k_->stderr_text().find(marker);
    if (at != std::string::npos)
        port_ = uint16_t(std::stoi(k_->stderr_text().substr(at + marker.size())));
}

Agent::~Agent() {
    k_.reset();  // SIGKILL if still running
    if (own_dir_)
        std::filesystem::remove_all(dir_);
}

int Agent::get(const std::string& path, std::string& body) const { return http_get(port_, path, body); }

double Agent::metric(const std::string& series) const {
    std::string body;
    if (get("/metrics", body) != 200)
        return -1;
    auto at = body.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stod(body.substr(at + series.size() + 2));
}

bool Agent::wait_metric(const std::string& series, double want, int seconds) const {
    for (int i = 0; i < seconds * 10; i++) {
        if (metric(series) == want)
            return true;
        usleep(100'000);
    }
    return false;
}

int http_get(uint16_t port, const std::string& path, std::string& body) {
    httplib::Client c("127.0.0.1", port);
    c.set_read_timeout(10, 0);
    auto res = c.Get(path.c_str());
    if (!res)
        return 0;
    body = res->body;
    return res->status;
}

int https_get(uint16_t port, const std::string& path, std::string& body, const std::string& ca_cert,
              const std::string& token) {
    httplib::SSLClient c("127.0.0.1", port);
    c.set_ca_cert_path(ca_cert.c_str());
    c.enable_server_certificate_verification(true);
    c.set_read_timeout(10, 0);
    httplib::Headers headers;
    if (!token.empty())
        headers.emplace("Authorization", "Bearer " + token);
    auto res = c.Get(path.c_str(), headers);
    if (!res)
        return 0;
    body = res->body;
    return res->status;
}

std::string true_named(const std::string& dir, const std::string& name) {
    const std::string path = dir + "/" + name;
    std::filesystem::copy_file("/bin/true", path, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path;
}

}  // namespace kscope::test
