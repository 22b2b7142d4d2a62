// Container names and images from a runtime's socket: the two APIs' answers, image
// references, and the cache that asks in the background and never blocks its caller.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "fake_container_runtime.h"
#include "pipeline/container_runtime.h"

namespace kscope {
namespace {

using test::FakeContainerRuntime;

const std::string kId = std::string(64, 'a');
const std::string kOther = std::string(64, 'b');

TEST(SplitImage, RepositoryAndTag) {
    EXPECT_EQ(split_image("nginx:1.25"), std::make_pair(std::string("nginx"), std::string("1.25")));
    EXPECT_EQ(split_image("nginx"), std::make_pair(std::string("nginx"), std::string()));
    EXPECT_EQ(split_image("registry.local:5000/team/web:1.2"),
              std::make_pair(std::string("registry.local:5000/team/web"), std::string("1.2")));
    EXPECT_EQ(split_image("registry.local:5000/team/web"),
              std::make_pair(std::string("registry.local:5000/team/web"), std::string()));
    EXPECT_EQ(split_image("quay.io/x/y@sha256:0123"), std::make_pair(std::string("quay.io/x/y"), std::string()));
}

TEST(ContainerRuntimeJson, DockerInspect) {
    auto m = parse_docker_inspect(
        R"({"Id":"aa","Name":"/web-1","Image":"sha256:feed","Config":{"Image":"nginx:1.25","Env":[]}})");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->name, "web-1");
    EXPECT_EQ(m->image, "nginx:1.25");
    EXPECT_EQ(m->image_id, "sha256:feed");
    EXPECT_EQ(m->runtime, "docker");
    EXPECT_FALSE(parse_docker_inspect("not json"));
    EXPECT_FALSE(parse_docker_inspect(R"({"message":"No such container"})"));
    EXPECT_FALSE(parse_docker_inspect("[1,2]"));
}

TEST(ContainerRuntimeJson, CriOInfoPrefersKubernetesName) {
    auto m = parse_crio_info(
        R"({"name":"k8s_web_pod","pid":42,"image":"docker.io/library/redis:7","image_ref":"sha256:beef",)"
        R"("labels":{"io.kubernetes.container.name":"web"}})");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->name, "web");
    EXPECT_EQ(m->image, "docker.io/library/redis:7");
    EXPECT_EQ(m->image_id, "sha256:beef");
    EXPECT_EQ(m->runtime, "cri-o");
    auto plain = parse_crio_info(R"({"name":"k8s_web_pod","image":"redis:7"})");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->name, "k8s_web_pod");
}

TEST(ContainerRuntime, AsksEachApiOverItsSocket) {
    FakeContainerRuntime docker(FakeContainerRuntime::Api::Docker);
    FakeContainerRuntime crio(FakeContainerRuntime::Api::CriO);
    ASSERT_TRUE(docker.ok() && crio.ok());
    docker.add(kId, {"web-1", "nginx:1.25", "sha256:feed"});
    crio.add(kOther, {"db", "redis:7", "sha256:beef"});
    const std::vector<RuntimeSocket> sockets = {{"/nonexistent/docker.sock", RuntimeSocket::Api::Docker},
                                                {docker.path(), RuntimeSocket::Api::Docker},
                                                {crio.path(), RuntimeSocket::Api::CriO}};
    auto a = query_container(sockets, kId);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->name, "web-1");
    EXPECT_EQ(a->image, "nginx:1.25");
    auto b = query_container(sockets, kOther);  // Docker says 404, CRI-O knows it
    ASSERT_TRUE(b);
    EXPECT_EQ(b->name, "db");
    EXPECT_EQ(b->runtime, "cri-o");
    EXPECT_EQ(docker.asked(kOther), 1);
    EXPECT_FALSE(query_container(sockets, std::string(64, 'c')));
    EXPECT_FALSE(query_container({}, kId));
}

TEST(ContainerMetaCache, AnswersLaterWithoutBlockingAndAsksOnce) {
    FakeContainerRuntime docker(FakeContainerRuntime::Api::Docker);
    ASSERT_TRUE(docker.ok());
    docker.add(kId, {"web-1", "nginx:1.25", "sha256:feed"});
    ContainerMetaCache cache({{docker.path(), RuntimeSocket::Api::Docker}});
    EXPECT_EQ(cache.find(kId), nullptr);  // asked in the background
    const ContainerMeta* m = nullptr;
    for (int i = 0; i < 200 && !m; i++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        m = cache.find(kId);
    }
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->image, "nginx:1.25");
    EXPECT_EQ(docker.asked(kId), 1);
    // Unknown ids are not asked again at once (a minute later they are).
    EXPECT_EQ(cache.find(kOther), nullptr);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    EXPECT_EQ(cache.find(kOther), nullptr);
    EXPECT_EQ(cache.find(kOther), nullptr);
    EXPECT_EQ(docker.asked(kOther), 1);
    EXPECT_EQ(cache.find(""), nullptr);
}

TEST(ContainerMetaCache, NoSocketNoAnswer) {
    ContainerMetaCache cache({{"/nonexistent/docker.sock", RuntimeSocket::Api::Docker}});
    for (int i = 0; i < 3; i++)
        EXPECT_EQ(cache.find(kId), nullptr);
    ContainerMetaCache none(std::vector<RuntimeSocket>{});
    EXPECT_EQ(none.find(kId), nullptr);
}

}  // namespace
}  // namespace kscope
