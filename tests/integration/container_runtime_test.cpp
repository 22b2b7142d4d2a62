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

// In a child: joins cgroup (when given), opens /etc/hostname, waits 1.5 s (the runtime's
// answer arrives meanwhile), opens it again.
int open_twice(const ContainerCgroup* cgroup) {
    default_rules::set_comm("kscope-ctr-img");
    if (cgroup && !cgroup->join())
        return -1;
    for (int i = 0; i < 2; i++) {
        if (i)
            std::this_thread::sleep_for(std::chrono::milliseconds(1500));
        int fd = open("/etc/hostname", O_RDONLY);
        if (fd < 0)
            return -errno;
        close(fd);
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

    Held in_known([&] { return open_twice(&known); });
    Held in_unknown([&] { return open_twice(&unknown); });
    Held on_host([&] { return open_twice(nullptr); });
    ASSERT_EQ(in_known.result(), 0);
    ASSERT_EQ(in_unknown.result(), 0);
    ASSERT_EQ(on_host.result(), 0);

    // The first open only asks the runtime (rules never wait for it); the second alerts.
    auto alerts = default_rules::wait_alerts(agent, kRule, in_known.pid());
    ASSERT_EQ(alerts.size(), 1u) << json(alerts).dump(1) << agent.process().stderr_text();
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
    EXPECT_EQ(agent.metric("kscope_alerts_total{rule=\"Open in web image\",priority=\"Notice\"}"), 1);
}

}  // namespace
}  // namespace kscope::test
