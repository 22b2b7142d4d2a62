// Container names and images from the runtime that started them, asked over its local
// API socket: Docker and Podman (Docker Engine API, GET /containers/ID/json) and CRI-O
// (its info endpoint, GET /containers/ID). containerd speaks only gRPC and is not asked.
// Each container is asked about once, on a background thread: events never wait for a
// socket, and without one the fields stay empty and nothing fails.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kscope {

struct ContainerMeta {
    std::string name;      // without Docker's leading '/'
    std::string image;     // as the container was created: "nginx:1.25", "quay.io/x/y@sha256:…"
    std::string image_id;  // "sha256:…" where the runtime says
    std::string runtime;   // "docker" (also Podman's compatible API) or "cri-o"
};

// "repo:tag" -> {repo, tag}; "repo@sha256:…" -> {repo, ""}; a registry port
// ("host:5000/app") is not a tag. An image without a tag gives {image, ""}.
std::pair<std::string, std::string> split_image(std::string_view image);

struct RuntimeSocket {
    std::string path;
    enum class Api { Docker, CriO } api = Api::Docker;
};

// The runtimes' usual socket paths (Docker, Podman rootful, CRI-O).
std::vector<RuntimeSocket> default_runtime_sockets();

// The answers of the two APIs; nullopt when the JSON is not one.
std::optional<ContainerMeta> parse_docker_inspect(std::string_view json);
std::optional<ContainerMeta> parse_crio_info(std::string_view json);

// Asks each socket that exists, in order, with a short timeout; nullopt when none knows id.
std::optional<ContainerMeta> query_container(const std::vector<RuntimeSocket>& sockets, const std::string& id);

class ContainerMetaCache {
public:
    explicit ContainerMetaCache(std::vector<RuntimeSocket> sockets = default_runtime_sockets());
    ~ContainerMetaCache();
    ContainerMetaCache(const ContainerMetaCache&) = delete;
    ContainerMetaCache& operator=(const ContainerMetaCache&) = delete;

    // What the runtime said about the container, or nullptr while it is being asked or
    // when no runtime knows it (asked again after a minute). Never blocks on a socket.
    // Call from one thread; the pointer stays valid until the next call.
    const ContainerMeta* find(const std::string& id);

private:
    void worker();
    void take_answers();

    const std::vector<RuntimeSocket> sockets_;
    // Reader side: answers taken over, and when unanswered ids may be asked again.
    std::unordered_map<std::string, ContainerMeta> known_;
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> asked_;
    // Shared with the worker.
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::string> questions_;
    std::vector<std::pair<std::string, std::optional<ContainerMeta>>> answers_;
    bool stop_ = false;
    std::thread thread_;  // started at the first question
};

}  // namespace kscope
