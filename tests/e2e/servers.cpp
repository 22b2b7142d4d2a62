#include "servers.h"

#include <fcntl.h>
#include <nats/nats.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "agent_harness.h"

namespace kscope::test {

ServerProcess::ServerProcess(const std::string& name, const std::vector<std::string>& argv, const std::string& dir)
    : log_path_(dir + "/" + name + ".log") {
    pid_ = fork();
    if (pid_ == 0) {
        int out = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        dup2(out, 1);
        dup2(out, 2);
        chdir(dir.c_str());
        std::vector<char*> args;
        for (const auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
}

ServerProcess::~ServerProcess() { stop(); }

void ServerProcess::stop() {
    if (pid_ <= 0)
        return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
            pid_ = -1;
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

std::string ServerProcess::log() const {
    std::ifstream in(log_path_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

bool wait_tcp_open(uint16_t port, int timeout_s) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (std::chrono::steady_clock::now() < until) {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
        close(fd);
        if (ok)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
}

bool wait_http_ok(uint16_t port, const std::string& path, int timeout_s) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    while (std::chrono::steady_clock::now() < until) {
        std::string body;
        if (http_get(port, path, body) == 200)
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
}

std::map<int, int> nats_stream_runs(uint16_t port, uint64_t* messages) {
    std::map<int, int> seen;
    if (messages)
        *messages = 0;
    natsConnection* nc = nullptr;
    jsCtx* js = nullptr;
    const std::string url = "nats://127.0.0.1:" + std::to_string(port);
    if (natsConnection_ConnectTo(&nc, url.c_str()) != NATS_OK || natsConnection_JetStream(&js, nc, nullptr) != NATS_OK)
        return seen;
    jsStreamInfo* info = nullptr;
    if (js_GetStreamInfo(&info, js, "KSCOPE", nullptr, nullptr) == NATS_OK) {
        if (messages)
            *messages = info->State.Msgs;
        for (uint64_t seq = info->State.FirstSeq; seq <= info->State.LastSeq; seq++) {
            natsMsg* msg = nullptr;
            if (js_GetMsg(&msg, js, "KSCOPE", seq, nullptr, nullptr) != NATS_OK)
                continue;
            auto e = nlohmann::json::parse(std::string(natsMsg_GetData(msg), natsMsg_GetDataLength(msg)), nullptr, false);
            if (!e.is_discarded() && e["type"] == "exec" && e["argv"].size() == 3)
                seen[std::stoi(e["argv"][2].get<std::string>())]++;
            natsMsg_Destroy(msg);
        }
        jsStreamInfo_Destroy(info);
    }
    jsCtx_Destroy(js);
    natsConnection_Destroy(nc);
    return seen;
}

}  // namespace kscope::test
