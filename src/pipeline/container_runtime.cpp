#include "pipeline/container_runtime.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace kscope {
namespace {

constexpr auto kRetryUnknown = std::chrono::seconds(60);
constexpr size_t kMaxEntries = 4096;  // containers remembered; more clears the memory

std::string string_at(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool is_socket(const std::string& path) {
    struct stat st {};
    return stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

std::optional<std::string> get(const std::string& socket, const std::string& path) {
    httplib::Client client(socket);
    client.set_address_family(AF_UNIX);
    client.set_connection_timeout(std::chrono::milliseconds(500));
    client.set_read_timeout(std::chrono::seconds(1));
    // Go's servers (Docker, CRI-O) want a host name, not the socket's path.
    auto res = client.Get(path, httplib::Headers{{"Host", "localhost"}});
    if (!res || res->status != 200)
        return std::nullopt;
    return res->body;
}

}  // namespace

std::pair<std::string, std::string> split_image(std::string_view image) {
    if (auto at = image.find('@'); at != std::string_view::npos)
        return {std::string(image.substr(0, at)), ""};
    auto colon = image.rfind(':');
    auto slash = image.rfind('/');
    if (colon == std::string_view::npos || (slash != std::string_view::npos && slash > colon))
        return {std::string(image), ""};  // "host:5000/app": the colon is the registry's port
    return {std::string(image.substr(0, colon)), std::string(image.substr(colon + 1))};
}

std::vector<RuntimeSocket> default_runtime_sockets() {
    return {{"/var/run/docker.sock", RuntimeSocket::Api::Docker},
            {"/run/podman/podman.sock", RuntimeSocket::Api::Docker},
            {"/var/run/crio/crio.sock", RuntimeSocket::Api::CriO}};
}

std::optional<ContainerMeta> parse_docker_inspect(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object())
        return std::nullopt;
    ContainerMeta m;
    m.runtime = "docker";
    m.name = string_at(j, "Name");
    if (!m.name.empty() && m.name.front() == '/')
        m.name.erase(0, 1);
    if (auto c = j.find("Config"); c != j.end() && c->is_object())
        m.image = string_at(*c, "Image");
    m.image_id = string_at(j, "Image");
    if (m.name.empty() && m.image.empty())
        return std::nullopt;
    return m;
}

std::optional<ContainerMeta> parse_crio_info(std::string_view text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object())
        return std::nullopt;
    ContainerMeta m;
    m.runtime = "cri-o";
    m.name = string_at(j, "name");
    // Kubernetes' own container name where CRI-O has it, as Falco shows.
    if (auto labels = j.find("labels"); labels != j.end() && labels->is_object())
        if (auto k8s = string_at(*labels, "io.kubernetes.container.name"); !k8s.empty())
            m.name = k8s;
    m.image = string_at(j, "image");
    m.image_id = string_at(j, "image_ref");
    if (m.name.empty() && m.image.empty())
        return std::nullopt;
    return m;
}

std::optional<ContainerMeta> query_container(const std::vector<RuntimeSocket>& sockets, const std::string& id) {
    for (const auto& s : sockets) {
        if (!is_socket(s.path))
            continue;
        const bool docker = s.api == RuntimeSocket::Api::Docker;
        auto body = get(s.path, docker ? "/containers/" + id + "/json" : "/containers/" + id);
        if (!body)
            continue;
        auto meta = docker ? parse_docker_inspect(*body) : parse_crio_info(*body);
        if (meta)
            return meta;
    }
    return std::nullopt;
}

ContainerMetaCache::ContainerMetaCache(std::vector<RuntimeSocket> sockets) : sockets_(std::move(sockets)) {}

ContainerMetaCache::~ContainerMetaCache() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void ContainerMetaCache::take_answers() {
    std::lock_guard lock(mu_);
    for (auto& [id, meta] : answers_)
        if (meta)
            known_[id] = std::move(*meta);
    answers_.clear();
}

const ContainerMeta* ContainerMetaCache::find(const std::string& id) {
    if (id.empty() || sockets_.empty())
        return nullptr;
    take_answers();
    if (auto it = known_.find(id); it != known_.end())
        return &it->second;
    const auto now = std::chrono::steady_clock::now();
    auto [it, fresh] = asked_.try_emplace(id, now);
    if (!fresh && now - it->second < kRetryUnknown)
        return nullptr;
    it->second = now;
    if (asked_.size() > kMaxEntries) {
        asked_.clear();
        known_.clear();
    }
    {
        std::lock_guard lock(mu_);
        questions_.push_back(id);
        if (!thread_.joinable())
            thread_ = std::thread([this] { worker(); });
    }
    cv_.notify_one();
    return nullptr;
}

void ContainerMetaCache::worker() {
    std::unique_lock lock(mu_);
    while (true) {
        cv_.wait(lock, [&] { return stop_ || !questions_.empty(); });
        if (stop_)
            return;
        std::string id = std::move(questions_.front());
        questions_.pop_front();
        lock.unlock();
        auto meta = query_container(sockets_, id);
        lock.lock();
        answers_.emplace_back(std::move(id), std::move(meta));
    }
}

}  // namespace kscope
