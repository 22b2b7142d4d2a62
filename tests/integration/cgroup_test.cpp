// --cgroup filtering and container ids, with real cgroup v2 directories made by the test.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness.h"
#include "pipeline/cgroup_paths.h"

namespace kscope::test {
namespace {
namespace fs = std::filesystem;

// A cgroup v2 directory that lives as long as the object.
class TempCgroup {
public:
    explicit TempCgroup(const std::string& name) {
        auto mount = cgroup2_mount_point();
        if (mount) {
            path_ = fs::path(*mount) / name;
            fs::create_directories(path_);
        }
    }
    ~TempCgroup() {
        if (!path_.empty())
            rmdir(path_.c_str());  // a cgroup is removed with rmdir once empty
    }
    bool ok() const { return !path_.empty() && fs::exists(path_); }
    const fs::path& path() const { return path_; }
    uint64_t id() const {
        struct stat st {};
        stat(path_.c_str(), &st);
        return st.st_ino;
    }
    // fork; the child joins this cgroup and then execs path with argv.
    pid_t run_exec_inside(const std::string& path, const std::vector<std::string>& args) const {
        std::string procs = (path_ / "cgroup.procs").string();
        pid_t pid = spawn([&] {
            std::ofstream(procs) << getpid() << std::flush;
            exec_now(path, args);
        });
        wait_child(pid);
        return pid;
    }

private:
    fs::path path_;
};

TEST(Cgroup, FilterSelectsTheCgroupAndItsChildren) {
    REQUIRE_ROOT();
    TempCgroup parent("kscope-test-" + std::to_string(getpid()));
    ASSERT_TRUE(parent.ok()) << "cgroup v2 is not mounted or not writable";
    TempCgroup child((parent.path().filename() / "inner").string());
    ASSERT_TRUE(child.ok());

    Kscope k({"exec", "--json", "--cgroup", parent.path().string()});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t in_parent = parent.run_exec_inside("/bin/true", {"/bin/true", "parent"});
    pid_t in_child = child.run_exec_inside("/bin/true", {"/bin/true", "child"});
    pid_t outside = run_exec("/bin/true", {"/bin/true", "outside"});
    k.stop();

    auto all = k.json_lines();
    auto p = events_for(all, "exec", in_parent);
    auto c = events_for(all, "exec", in_child);
    ASSERT_EQ(p.size(), 1u) << k.stdout_text();
    ASSERT_EQ(c.size(), 1u) << k.stdout_text();
    EXPECT_EQ(p[0]["cgroup_id"], parent.id());
    EXPECT_EQ(c[0]["cgroup_id"], child.id());
    EXPECT_TRUE(events_for(all, "exec", outside).empty());
    EXPECT_EQ(all.size(), 2u) << k.stdout_text();
}

TEST(Cgroup, ContainerIdComesFromTheRuntimesCgroupName) {
    REQUIRE_ROOT();
    const std::string id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    Kscope k({"exec", "--json"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    // Made after kscope started, as a container would be.
    TempCgroup scope("docker-" + id + ".scope");
    ASSERT_TRUE(scope.ok());
    pid_t inside = scope.run_exec_inside("/bin/true", {"/bin/true", "in-container"});
    pid_t outside = run_exec("/bin/true", {"/bin/true"});
    k.stop();

    auto all = k.json_lines();
    auto in = events_for(all, "exec", inside);
    ASSERT_EQ(in.size(), 1u);
    EXPECT_EQ(in[0]["container_id"], id);
    EXPECT_EQ(in[0]["cgroup_id"], scope.id());
    auto out = events_for(all, "exec", outside);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0]["container_id"], "");
}

}  // namespace
}  // namespace kscope::test
