// SIGHUP restarts the exporters and remote write when their settings change: after the
// file exporter's path, the webhook's URL and the remote-write URL change in the config
// file and the agent gets SIGHUP, new events go to the new destinations only, and the old
// ones get nothing more.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "agent_harness.h"
#include "wait_util.h"

namespace kscope::test {
namespace {

using namespace std::chrono_literals;

// A webhook and remote-write receiver on loopback: events per path, requests per path.
class Receiver {
public:
    Receiver() {
        auto hook = [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard lock(mu_);
            for (auto& e : nlohmann::json::parse(req.body))
                events_[req.path].push_back(e["argv"][2].get<std::string>());
            res.status = 204;
        };
        auto write = [this](const httplib::Request& req, httplib::Response& res) {
            std::lock_guard lock(mu_);
            if (req.get_header_value("Content-Encoding") == "snappy" && !req.body.empty())
                writes_[req.path]++;
            res.status = 204;
        };
        server_.Post("/one", hook);
        server_.Post("/two", hook);
        server_.Post("/rw1", write);
        server_.Post("/rw2", write);
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
    }
    ~Receiver() {
        server_.stop();
        thread_.join();
    }
    int port() const { return port_; }
    std::vector<std::string> events(const std::string& path) {
        std::lock_guard lock(mu_);
        return events_[path];
    }
    int writes(const std::string& path) {
        std::lock_guard lock(mu_);
        return writes_[path];
    }

private:
    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
    std::mutex mu_;
    std::map<std::string, std::vector<std::string>> events_;
    std::map<std::string, int> writes_;
};

// argv[2] of each line of a JSON-lines file.
std::vector<std::string> file_runs(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (auto e = nlohmann::json::parse(line, nullptr, false); !e.is_discarded())
            out.push_back(e["argv"][2].get<std::string>());
    return out;
}

std::vector<std::string> runs(int from, int to) {
    std::vector<std::string> out;
    for (int i = from; i < to; i++)
        out.push_back(std::to_string(i));
    return out;
}

TEST(ReloadExporters, SighupMovesFileWebhookAndRemoteWriteToTheirNewDestinations) {
    REQUIRE_ROOT();
    TempDir tmp("kscope-reload-exporters");
    const std::string& dir = tmp.path();
    Receiver receiver;
    ASSERT_GT(receiver.port(), 0);
    const std::string base = "http://127.0.0.1:" + std::to_string(receiver.port());
    auto config = [&](const std::string& file, const std::string& hook, const std::string& rw) {
        return "probes:\n  exec:\n    comms: [ksrl_true]\n  exit: false\n  tcp: false\n  drops: false\n"
               "  dns: false\n  syscalls: false\n  privilege: false\n  namespaces: false\n  filechange: false\n  socket: false\n  filetop: false\n"
               "exporters:\n  file:\n    path: " + dir + "/" + file + "\n  webhook:\n    url: " + base + hook +
               "\nremote_write:\n  url: " + base + rw + "\n  interval: 1s\n";
    };
    Agent a(config("first.jsonl", "/one", "/rw1"), dir);
    ASSERT_TRUE(a.ready()) << a.process().stderr_text();
    const std::string prog = true_named(dir, "ksrl_true");
    auto exec_runs = [&](int from, int to) {
        for (int i = from; i < to; i++)
            ASSERT_EQ(wait_child(run_exec(prog, {prog, "run", std::to_string(i)})), 0);
    };

    exec_runs(0, 5);
    ASSERT_TRUE(eventually([&] {
        return receiver.events("/one").size() == 5 && file_runs(dir + "/first.jsonl").size() == 5 &&
               receiver.writes("/rw1") >= 1;
    }, 20s, 50ms)) << a.process().stderr_text();

    std::ofstream(dir + "/agent.yaml") << config("second.jsonl", "/two", "/rw2");
    ASSERT_EQ(kill(a.process().pid(), SIGHUP), 0);
    // The new remote writer starts last in a reload, after the old one has stopped.
    ASSERT_TRUE(eventually([&] { return receiver.writes("/rw2") >= 1; }, 20s, 50ms)) << a.process().stderr_text();
    const int old_writes = receiver.writes("/rw1");

    exec_runs(5, 10);
    ASSERT_TRUE(eventually([&] {
        return receiver.events("/two").size() == 5 && file_runs(dir + "/second.jsonl").size() == 5;
    }, 20s, 50ms)) << a.process().stderr_text();
    // Two more pushes to the new URL, none to the old one meanwhile.
    const int new_writes = receiver.writes("/rw2");
    ASSERT_TRUE(eventually([&] { return receiver.writes("/rw2") >= new_writes + 2; }, 20s, 50ms));
    EXPECT_EQ(receiver.writes("/rw1"), old_writes);

    EXPECT_EQ(receiver.events("/one"), runs(0, 5));
    EXPECT_EQ(receiver.events("/two"), runs(5, 10));
    EXPECT_EQ(file_runs(dir + "/first.jsonl"), runs(0, 5));
    EXPECT_EQ(file_runs(dir + "/second.jsonl"), runs(5, 10));
    EXPECT_EQ(a.metric("kscope_exporter_dropped_total{exporter=\"webhook\"}"), 0);
    EXPECT_EQ(a.metric("kscope_exporter_dropped_total{exporter=\"file\"}"), 0);
    EXPECT_EQ(a.process().stop(SIGTERM), 0);
}

}  // namespace
}  // namespace kscope::test
