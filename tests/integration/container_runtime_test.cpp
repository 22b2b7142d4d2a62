// Container names and images in rules and alerts: the agent asks a runtime socket (a
// Docker Engine API stand-in, as this machine runs no Docker daemon) about the container
// id of a process in a Docker-style cgroup, in the background; a rule on
// container.image.repository fires once the answer is in, and the alert carries the
// container's name and image. A container the runtime does not know, and the host, raise
// nothing, and nothing fails.
#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include "default_rules_helpers.h"
#include "fake_container_runtime.h"

namespace kscope::test {
namespace {

using default_rules::ContainerCgroup;
using default_rules::Held;
using nlohmann::json;

constexpr const char* kRule = "Open in web image";

// In a child: joins cgroup (when given), then opens /etc/hostname every 300 ms (the
// first open only makes the agent ask the runtime) until `stop` exists, 15 s at most.
int open_until(const ContainerCgroup* cgroup, const std::string& stop) {
    default_rules::set_comm("kscope-ctr-img");
    if (cgroup && !cgroup->join())
        return -1;
    for (int i = 0; i < 50 && access(stop.c_str(), F_OK) != 0; i++) {
        int fd = open("/etc/hostname", O_RDONLY);
        if (fd < 0)
            return -errno;
        close(fd);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    return 0;
}

TEST(ContainerRuntimeAgent, RulesSeeTheImageAndAlertsNameTheContainer) {
    REQUIRE_ROOT();
    FakeContainerRuntime docker(FakeContainerRuntime::Api::Docker);
    ASSERT_TRUE(docker.ok());
    ContainerCgroup known("c0ffee"), unknown("beefed");
    ASSERT_TRUE(known.ok() && unknown.ok()) << "cgroup v2 is not mounted or not writable";
    docker.add(known.id(), {"web-1", "registry.local:5000/team/web:1.2", "sha256:feed"});

    TempDir dir("kscope-ctr-rules");
    const std::string rules = dir.path() + "/rules.yaml";
    std::ofstream(rules) << R"(- rule: Open in web image
  desc: a test rule on the container's image
  condition: >
    evt.type in (open, openat) and fd.name = /etc/hostname and proc.name = kscope-ctr-img
    and container.image.repository = "registry.local:5000/team/web"
  output: opened %fd.name in %container.name image=%container.image tag=%container.image.tag id=%container.image.id
  priority: NOTICE
  tags: [container, T1610]
)";
    Agent agent("probes:\n  open: true\nprofiling:\n  enabled: false\ncontainers:\n  docker_sockets: [" +
                docker.path() + "]\n  crio_sockets: []\nrules:\n  default: false\n  files: [" + rules + "]\n");
    ASSERT_TRUE(agent.ready()) << agent.process().stderr_text();

    const std::string stop = dir.path() + "/stop";
    Held in_known([&] { return open_until(&known, stop); });
    Held in_unknown([&] { return open_until(&unknown, stop); });
    Held on_host([&] { return open_until(nullptr, stop); });

    // The first opens only ask the runtime (rules never wait for it); once it has
    // answered, the opens alert.
    auto alerts = default_rules::wait_alerts(agent, kRule, in_known.pid(), 15);
    std::this_thread::sleep_for(std::chrono::seconds(1));  // the other two keep opening meanwhile
    std::ofstream(stop) << "";
    ASSERT_EQ(in_known.result(), 0);
    ASSERT_EQ(in_unknown.result(), 0);
    ASSERT_EQ(on_host.result(), 0);
    ASSERT_GE(alerts.size(), 1u) << agent.process().stderr_text();
    const json& a = alerts[0];
    EXPECT_EQ(a["container_id"], known.id()) << a.dump();
    EXPECT_EQ(a["container_name"], "web-1") << a.dump();
    EXPECT_EQ(a["container_image"], "registry.local:5000/team/web:1.2") << a.dump();
    EXPECT_EQ(a["output"], "opened /etc/hostname in web-1 image=registry.local:5000/team/web:1.2 tag=1.2 "
                           "id=sha256:feed")
        << a.dump();
    EXPECT_EQ(docker.asked(known.id()), 1);

    default_rules::settle();
    EXPECT_TRUE(default_rules::alerts_now(agent, kRule, in_unknown.pid()).empty());
    EXPECT_TRUE(default_rules::alerts_now(agent, kRule, on_host.pid()).empty());
    EXPECT_EQ(docker.asked(unknown.id()), 1);  // asked once, not per event
    EXPECT_GE(agent.metric("kscope_alerts_total{rule=\"Open in web image\",priority=\"Notice\"}"), 1);
}

}  // namespace
}  // namespace kscope::test
