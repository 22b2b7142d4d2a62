// Container id from a cgroup path, for the runtimes' known layouts:
//   docker      /docker/<id>, /system.slice/docker-<id>.scope
//   containerd  /kubepods/.../<id>, .../cri-containerd-<id>.scope
//   cri-o       .../crio-<id>.scope
//   podman      /machine.slice/libpod-<id>.scope[/container]
// Conmon's own scopes (crio-conmon-, libpod-conmon-) are not containers.
#pragma once

#include <string>
#include <string_view>

namespace kscope {

// The 64-hex-digit container id, or "" when the path is not a container's.
std::string container_id_from_cgroup(std::string_view cgroup_path);

}  // namespace kscope
