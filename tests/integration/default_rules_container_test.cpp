// The built-in container, namespace and network rules against the real agent. Container
// cases run their child in a cgroup named like a Docker scope (docker-<64 hex>.scope), so
// the agent gives it a container id; their near miss is the same action on the host.
// Network cases stay on loopback, or in two network namespaces of the test's own joined by
// a veth pair.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "default_rules_helpers.h"
#include "netns.h"

namespace kscope::test::default_rules {
namespace {

class DefaultRulesContainer : public AgentSuite<DefaultRulesContainer> {
protected:
    static void SetUpTestSuite() {
        AgentSuite::SetUpTestSuite();
        cgroup_ = new ContainerCgroup();
        container_known_ = agent_ && agent_->ready() && cgroup_->ok() && warm_up();
    }
    static void TearDownTestSuite() {
        delete cgroup_;
        cgroup_ = nullptr;
        AgentSuite::TearDownTestSuite();
    }
    void SetUp() override {
        AgentSuite::SetUp();
        if (IsSkipped() || HasFatalFailure())
            return;
        ASSERT_TRUE(cgroup_->ok()) << "cgroup v2 is not mounted or not writable";
        ASSERT_TRUE(container_known_) << "the agent never gave the cgroup " << cgroup_->path()
                                       << " the container id " << cgroup_->id();
    }

    // Once per suite: a process in the container cgroup opens a file and stays until the
    // agent has stored that open with the container's id. The agent has then mapped the
    // cgroup to the id, and the short-lived processes of the cases cannot race its lookup.
    static bool warm_up() {
        Held probe([] {
            set_comm("kscope-ctr-warm");
            if (!cgroup_->join())
                return -1;
            int fd = open("/etc/hostname", O_RDONLY);
            if (fd >= 0)
                close(fd);
            return 0;
        });
        if (probe.result() != 0)
            return false;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (std::chrono::steady_clock::now() < deadline) {
            std::string body;
            if (agent().get("/api/v1/events?type=open&limit=100&pid=" + std::to_string(probe.pid()), body) == 200)
                for (const auto& e : json::parse(body, nullptr, false))
                    if (e.is_object() && e.value("container_id", "") == cgroup_->id())
                        return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        return false;
    }

    static inline ContainerCgroup* cgroup_ = nullptr;
    static inline bool container_known_ = false;
};

// In a child: joins the container's cgroup when asked; false if it could not.
bool enter(const ContainerCgroup* cgroup, bool in_container) { return !in_container || cgroup->join(); }

// In a child: makes a new pty the controlling terminal of a new session and fds 0-2.
bool take_terminal() {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0 || setsid() < 0)
        return false;
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) != 0)
        return false;
    for (int fd = 0; fd < 3; fd++)
        dup2(slave, fd);
    return true;  // the master stays open (inherited by the shell)
}

// A TCP listener on 127.0.0.1, any port; the fd, its address in sa.
int loopback_listener(sockaddr_in& sa) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sa = {};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 || listen(fd, 8) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

TEST_F(DefaultRulesContainer, TerminalShellInContainer) {
    const std::string rule = "Terminal shell in container";
    auto shell = [](bool in_container, bool tty) {
        int status = -1;
        pid_t pid = run_exec_child([&] {
            if (!enter(cgroup_, in_container) || (tty && !take_terminal()))
                _exit(1);
            exec_now("/bin/sh", {"sh", "-c", "true"});
        }, &status);
        EXPECT_EQ(status, 0);
        return pid;
    };
    pid_t on_host = shell(false, true);
    pid_t no_tty = shell(true, false);
    pid_t hit = shell(true, true);
    auto a = one_alert(rule, hit);
    expect_alert(a, rule, "Notice", hit, "exec",
                 "A shell was spawned in a container with an attached terminal (user=root shell=sh parent=" + own_comm() +
                     " command=sh -c true container=" + cgroup_->short_id() + ")");
    EXPECT_EQ(a["container_id"], cgroup_->id());
    EXPECT_EQ(a["event"]["container_id"], cgroup_->id());
    EXPECT_NE(a["event"]["tty"], 0);
    EXPECT_EQ(a["event"]["stdin_type"], "char");
    expect_no_alert(rule, {on_host, no_tty});
    // The parent, this test binary, is on the other shell rule's list.
    EXPECT_TRUE(alerts_now(agent(), "Shell spawned in container by non-shell program", hit).empty());
}

// A process named launcher starts sh inside the container.
TEST_F(DefaultRulesContainer, ShellSpawnedInContainerByNonShellProgram) {
    const std::string rule = "Shell spawned in container by non-shell program";
    auto launch = [](bool in_container) {
        return [in_container] {
            set_comm("launcher");  // first: the agent may read /proc/<pid> at any event of the child
            if (!enter(cgroup_, in_container))
                return -1;
            return run_grandchild("/bin/sh", {"sh", "-c", "true"});
        };
    };
    Held on_host(launch(false));
    Held inside(launch(true));
    ASSERT_GT(on_host.result(), 0);
    ASSERT_GT(inside.result(), 0);
    const pid_t shell = inside.result();
    auto a = one_alert(rule, shell);
    expect_alert(a, rule, "Notice", shell, "exec",
                 "Shell spawned by a non-shell program in a container (user=root shell=sh parent=launcher "
                 "command=sh -c true container=" +
                     cgroup_->short_id() + ")");
    EXPECT_EQ(a["container_id"], cgroup_->id());
    EXPECT_EQ(a["ppid"], inside.pid());
    expect_no_alert(rule, {on_host.result()});
    // No terminal: the other shell rule stays quiet.
    EXPECT_TRUE(alerts_now(agent(), "Terminal shell in container", shell).empty());
}

// unshare(CLONE_NEWUTS) in the container; on the host, and by a namespace tool, nothing.
TEST_F(DefaultRulesContainer, ChangeNamespaceInContainer) {
    const std::string rule = "Change namespace in container";
    auto unshare_uts = [](bool in_container, const char* comm) {
        return [in_container, comm] {
            set_comm(comm);
            if (!enter(cgroup_, in_container))
                return -1;
            return check(unshare(CLONE_NEWUTS));
        };
    };
    Held on_host(unshare_uts(false, "nsescaper"));
    Held allowed(unshare_uts(true, "unshare"));
    Held hit(unshare_uts(true, "nsescaper"));
    ASSERT_EQ(on_host.result(), 0);
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Notice", hit.pid(), "namespace",
                 "Namespace change in a container (syscall=unshare namespaces=uts user=root process=nsescaper");
    EXPECT_NE(a["output"].get<std::string>().find("container=" + cgroup_->short_id()), std::string::npos);
    EXPECT_EQ(a["event"]["syscall"], "unshare");
    EXPECT_EQ(a["event"]["namespaces"], json::array({"uts"}));
    EXPECT_EQ(a["container_id"], cgroup_->id());
    expect_no_alert(rule, {on_host.pid(), allowed.pid()});
}

// A tmpfs mounted in a private mount namespace of the child's own (gone with it).
TEST_F(DefaultRulesContainer, MountInContainer) {
    const std::string rule = "Mount in container";
    TempDir dir("kscope-rules-mnt");
    const std::string target = dir.path();
    auto mount_tmpfs = [&](bool in_container) {
        return [in_container, target] {
            set_comm("mounter");
            if (!enter(cgroup_, in_container))
                return -1;
            if (unshare(CLONE_NEWNS) != 0 || mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
                return -errno;
            return check(mount("kscope-tmpfs", target.c_str(), "tmpfs", 0, "size=64k"));
        };
    };
    Held on_host(mount_tmpfs(false));
    Held hit(mount_tmpfs(true));
    ASSERT_EQ(on_host.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    // Two mounts alert: the remount of / as private, then the tmpfs.
    json a;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (a.is_null() && std::chrono::steady_clock::now() < deadline) {
        for (const auto& alert : alerts_now(agent(), rule, hit.pid()))
            if (alert["event"]["target"] == target)
                a = alert;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_FALSE(a.is_null()) << json(alerts_now(agent(), rule, hit.pid())).dump(1);
    expect_alert(a, rule, "Warning", hit.pid(), "mount",
                 "Mount in a container (source=kscope-tmpfs target=" + target + " type=tmpfs user=root process=mounter");
    EXPECT_EQ(a["event"]["syscall"], "mount");
    EXPECT_EQ(a["event"]["source"], "kscope-tmpfs");
    EXPECT_EQ(a["event"]["fstype"], "tmpfs");
    EXPECT_EQ(a["container_id"], cgroup_->id());
    expect_no_alert(rule, {on_host.pid()});
    // unshare in the container is the namespace rule's too.
    EXPECT_EQ(alerts_now(agent(), "Change namespace in container", hit.pid()).size(), 1u);
}

TEST_F(DefaultRulesContainer, ChrootOrPivotRootOutsideContainerRuntimes) {
    const std::string rule = "Chroot or pivot_root outside container runtimes";
    TempDir dir("kscope-rules-chroot");
    const std::string root = dir.path();
    auto do_chroot = [&](const char* comm) {
        return [comm, root] {
            set_comm(comm);
            return check(chroot(root.c_str()));
        };
    };
    Held allowed(do_chroot("sshd"));
    Held hit(do_chroot("jailer"));
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Notice", hit.pid(), "mount",
                 "Root directory changed (syscall=chroot target=" + root + " user=root process=jailer");
    EXPECT_EQ(a["event"]["syscall"], "chroot");
    EXPECT_EQ(a["event"]["target"], root);
    expect_no_alert(rule, {allowed.pid()});
}

// sh -c true with stdin and stdout on a TCP connection to a loopback listener; the near
// miss has them on a unix socket pair.
TEST_F(DefaultRulesContainer, ReverseShell) {
    const std::string rule = "Reverse shell";
    sockaddr_in sa{};
    int listener = loopback_listener(sa);
    ASSERT_GE(listener, 0);
    int status = -1;
    pid_t harmless = run_exec_child([] {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
            _exit(1);
        dup2(sv[0], 0);
        dup2(sv[0], 1);
        exec_now("/bin/sh", {"sh", "-c", "true"});
    }, &status);
    EXPECT_EQ(status, 0);
    pid_t hit = run_exec_child([&] {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
            _exit(1);
        dup2(s, 0);
        dup2(s, 1);
        exec_now("/bin/sh", {"sh", "-c", "true"});
    }, &status);
    EXPECT_EQ(status, 0);
    close(listener);
    auto a = one_alert(rule, hit);
    expect_alert(a, rule, "Critical", hit, "exec",
                 "Shell with its standard streams on a network connection (user=root shell=sh parent=" + own_comm() +
                     " command=sh -c true stdin=ipv4 stdout=ipv4 container=host)");
    EXPECT_EQ(a["event"]["stdin_type"], "ipv4");
    EXPECT_EQ(a["event"]["stdout_type"], "ipv4");
    expect_no_alert(rule, {harmless});
}

TEST_F(DefaultRulesContainer, PacketSocketCreated) {
    const std::string rule = "Packet socket created";
    auto packet_socket = [](const char* comm) {
        return [comm] {
            set_comm(comm);
            int fd = socket(AF_PACKET, SOCK_RAW, 0);  // protocol 0: receives nothing
            if (fd < 0)
                return -errno;
            close(fd);
            return 0;
        };
    };
    Held allowed(packet_socket("tcpdump"));
    Held harmless([] {
        set_comm("sniffer");
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (fd < 0)
            return -errno;
        close(fd);
        return 0;
    });
    Held hit(packet_socket("sniffer"));
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(harmless.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Notice", hit.pid(), "socket", "Packet socket created (type=raw user=root process=sniffer");
    EXPECT_EQ(a["event"]["syscall"], "socket");
    EXPECT_EQ(a["event"]["family"], "packet");
    EXPECT_EQ(a["event"]["sock_type"], "raw");
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
}

TEST_F(DefaultRulesContainer, UnexpectedNetworkListener) {
    const std::string rule = "Unexpected network listener";
    auto listen_tcp = [](const char* comm) {
        return [comm] {
            set_comm(comm);
            sockaddr_in sa{};
            int fd = loopback_listener(sa);
            return fd < 0 ? -1 : int(ntohs(sa.sin_port));  // kept open until released
        };
    };
    TempDir dir("kscope-rules-listen");
    const std::string path = dir.path() + "/sock";
    Held allowed(listen_tcp("nginx"));
    Held harmless([&] {
        set_comm("backdoor");
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un sun{};
        sun.sun_family = AF_UNIX;
        strncpy(sun.sun_path, path.c_str(), sizeof sun.sun_path - 1);
        if (bind(fd, reinterpret_cast<sockaddr*>(&sun), sizeof sun) != 0 || listen(fd, 1) != 0)
            return -errno;
        return 0;
    });
    Held hit(listen_tcp("backdoor"));
    ASSERT_GT(allowed.result(), 0);
    ASSERT_EQ(harmless.result(), 0);
    ASSERT_GT(hit.result(), 0);
    const std::string port = std::to_string(hit.result());
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Notice", hit.pid(), "socket",
                 "New listening socket (address=127.0.0.1:" + port + " port=" + port + " user=root process=backdoor");
    EXPECT_EQ(a["event"]["syscall"], "listen");
    EXPECT_EQ(a["event"]["family"], "ipv4");
    EXPECT_EQ(a["event"]["addr"], "127.0.0.1");
    EXPECT_EQ(a["event"]["port"], hit.result());
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
}

// A client in one namespace of a veth pair connects to a server in the other: port 3333 (a
// pool's) alerts, port 443 does not, nor does curl on 3333. Loopback is the rule's exception,
// hence the namespaces.
TEST_F(DefaultRulesContainer, OutboundConnectionToMiningPoolPort) {
    const std::string rule = "Outbound connection to mining pool port";
    NetnsPair net(77);
    ASSERT_TRUE(net.ok()) << "could not make the network namespaces (ip netns, veth)";
    const std::string server = net.addr_a();
    auto serve = [&](uint16_t port) {
        return [&net, server, port] {
            set_comm("poolserver");
            if (!net.enter_a())
                return -1;
            int fd = tcp_socket(AF_INET, server, port, false);
            return fd >= 0 && listen(fd, 8) == 0 ? 0 : -errno;  // open until released
        };
    };
    Held pool(serve(3333)), https(serve(443));
    ASSERT_EQ(pool.result(), 0);
    ASSERT_EQ(https.result(), 0);
    auto connect_to = [&](const char* comm, uint16_t port) {
        return [&net, comm, server, port] {
            set_comm(comm);
            if (!net.enter_b())
                return -1;
            int fd = tcp_socket(AF_INET, server, port, true);
            return fd >= 0 ? 0 : -errno;  // connected until released
        };
    };
    Held other_port(connect_to("poolclient", 443));
    Held allowed(connect_to("curl", 3333));
    Held hit(connect_to("poolclient", 3333));
    ASSERT_EQ(other_port.result(), 0);
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Warning", hit.pid(), "tcp_connect", "Connection to a mining pool port (connection=" + net.addr_b() + ":");
    EXPECT_NE(a["output"].get<std::string>().find("->" + server + ":3333 user=root process=poolclient"), std::string::npos)
        << a["output"];
    EXPECT_EQ(a["event"]["daddr"], server);
    EXPECT_EQ(a["event"]["dport"], 3333);
    EXPECT_EQ(a["event"]["saddr"], net.addr_b());
    EXPECT_EQ(a["event"]["ret"], 0);
    expect_no_alert(rule, {other_port.pid(), allowed.pid()});
}

}  // namespace
}  // namespace kscope::test::default_rules
