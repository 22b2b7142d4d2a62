// A stand-in for a container runtime's API socket (Docker Engine API or CRI-O's info
// endpoint) on a Unix socket in a temporary directory, answering for the containers it is
// given and 404 for any other: this machine runs no Docker daemon, and the tests need a
// runtime whose answers they know.
#pragma once

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace kscope::test {

class FakeContainerRuntime {
public:
    enum class Api { Docker, CriO };
    struct Container {
        std::string name, image, image_id;
    };

    explicit FakeContainerRuntime(Api api) : api_(api) {
        char tmpl[] = "/tmp/kscope-runtime-XXXXXX";
        dir_ = mkdtemp(tmpl) ? tmpl : "";
        path_ = dir_ + (api == Api::Docker ? "/docker.sock" : "/crio.sock");
        server_.set_address_family(AF_UNIX);
        const char* route = api == Api::Docker ? R"(/containers/([0-9a-f]+)/json)" : R"(/containers/([0-9a-f]+))";
        server_.Get(route, [this](const httplib::Request& req, httplib::Response& res) { answer(req, res); });
        thread_ = std::thread([this] { server_.listen(path_.c_str(), 80); });
        for (int i = 0; i < 200 && !server_.is_running(); i++)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ~FakeContainerRuntime() {
        server_.stop();
        thread_.join();
        std::filesystem::remove_all(dir_);
    }
    bool ok() const { return server_.is_running(); }
    const std::string& path() const { return path_; }
    void add(const std::string& id, Container c) {
        std::lock_guard lock(mu_);
        containers_[id] = std::move(c);
    }
    // How often the runtime was asked about id.
    int asked(const std::string& id) const {
        std::lock_guard lock(mu_);
        auto it = asked_.find(id);
        return it == asked_.end() ? 0 : it->second;
    }

private:
    void answer(const httplib::Request& req, httplib::Response& res) {
        std::lock_guard lock(mu_);
        const std::string id = req.matches[1];
        asked_[id]++;
        auto it = containers_.find(id);
        if (it == containers_.end()) {
            res.status = 404;
            res.set_content(R"({"message":"No such container: )" + id + R"("})", "application/json");
            return;
        }
        const Container& c = it->second;
        nlohmann::json j;
        if (api_ == Api::Docker)
            j = {{"Id", id}, {"Name", "/" + c.name}, {"Image", c.image_id}, {"Config", {{"Image", c.image}}}};
        else
            j = {{"name", "k8s_" + c.name + "_pod"},
                 {"pid", 1},
                 {"image", c.image},
                 {"image_ref", c.image_id},
                 {"labels", {{"io.kubernetes.container.name", c.name}}}};
        res.set_content(j.dump(), "application/json");
    }

    Api api_;
    std::string dir_, path_;
    httplib::Server server_;
    std::thread thread_;
    mutable std::mutex mu_;
    std::map<std::string, Container> containers_;
    std::map<std::string, int> asked_;
};

}  // namespace kscope::test
