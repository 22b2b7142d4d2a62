#include <gtest/gtest.h>

#include "pipeline/container_id.h"

namespace kscope {
namespace {

const std::string kId = "4c8f1e2a9b7d3c6e5f0a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcd";

TEST(ContainerId, RuntimeLayouts) {
    EXPECT_EQ(container_id_from_cgroup("/docker/" + kId), kId);
    EXPECT_EQ(container_id_from_cgroup("/system.slice/docker-" + kId + ".scope"), kId);
    EXPECT_EQ(container_id_from_cgroup("/kubepods/burstable/pod1234-5678/" + kId), kId);
    EXPECT_EQ(container_id_from_cgroup("/kubepods.slice/kubepods-besteffort.slice/"
                                       "kubepods-besteffort-pod12_34.slice/cri-containerd-" + kId + ".scope"),
              kId);
    EXPECT_EQ(container_id_from_cgroup("/kubepods.slice/kubepods-pod1.slice/crio-" + kId + ".scope"), kId);
    EXPECT_EQ(container_id_from_cgroup("/machine.slice/libpod-" + kId + ".scope/container"), kId);
    EXPECT_EQ(container_id_from_cgroup("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId +
                                       ".scope"),
              kId);
}

TEST(ContainerId, NotAContainer) {
    EXPECT_EQ(container_id_from_cgroup("/"), "");
    EXPECT_EQ(container_id_from_cgroup(""), "");
    EXPECT_EQ(container_id_from_cgroup("/user.slice/user-0.slice/session-1.scope"), "");
    EXPECT_EQ(container_id_from_cgroup("/system.slice/sshd.service"), "");
    // Conmon's scope is not the container.
    EXPECT_EQ(container_id_from_cgroup("/machine.slice/libpod-conmon-" + kId + ".scope"), "");
    // Wrong length or not hex.
    EXPECT_EQ(container_id_from_cgroup("/docker/" + kId.substr(1)), "");
    EXPECT_EQ(container_id_from_cgroup("/docker/" + std::string(64, 'z')), "");
}

}  // namespace
}  // namespace kscope
