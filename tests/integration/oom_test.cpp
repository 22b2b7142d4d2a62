// kscope oom against the real OOM killer: processes in a memory cgroup with a small
// limit (v1 memory controller, or cgroup v2 where it has the memory controller).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "harness.h"
#include "pipeline/cgroup_paths.h"

namespace kscope::test {
namespace {
namespace fs = std::filesystem;

constexpr uint64_t kLimit = 64ull << 20;

// A memory cgroup with a 64 MiB limit: v1 (/sys/fs/cgroup/memory) when mounted, else
// cgroup v2 with the memory controller. Removed at the end.
class MemoryCgroup {
public:
    explicit MemoryCgroup(const std::string& name) : name_(name) {
        if (fs::exists("/sys/fs/cgroup/memory/memory.limit_in_bytes")) {
            dir_ = fs::path("/sys/fs/cgroup/memory") / name;
            fs::create_directories(dir_);
            ok_ = write("memory.limit_in_bytes", std::to_string(kLimit));
            write("memory.memsw.limit_in_bytes", std::to_string(kLimit));  // only with swap accounting
        } else if (auto mount = cgroup2_mount_point()) {
            std::ifstream controllers(*mount + "/cgroup.controllers");
            std::string all((std::istreambuf_iterator<char>(controllers)), {});
            if (all.find("memory") == std::string::npos)
                return;
            std::ofstream(*mount + "/cgroup.subtree_control") << "+memory" << std::flush;
            dir_ = fs::path(*mount) / name;
            fs::create_directories(dir_);
            ok_ = write("memory.max", std::to_string(kLimit));
            write("memory.swap.max", "0");
        }
    }
    ~MemoryCgroup() {
        if (!dir_.empty())
            rmdir(dir_.c_str());
    }
    bool ok() const { return ok_; }
    std::string path() const { return "/" + name_; }  // in its hierarchy
    // Moves the calling process in.
    void join() const { std::ofstream(dir_ / "cgroup.procs") << getpid() << std::flush; }

private:
    bool write(const std::string& file, const std::string& value) {
        std::ofstream out(dir_ / file);
        out << value << std::flush;
        return bool(out);
    }
    std::string name_;
    fs::path dir_;
    bool ok_ = false;
};

void set_oom_score_adj(int adj) { std::ofstream("/proc/self/oom_score_adj") << adj << std::flush; }

// Touches n MiB of fresh anonymous memory, a page at a time.
void touch_mib(size_t n) {
    for (size_t i = 0; i < n; i++) {
        auto* p = static_cast<char*>(mmap(nullptr, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
        if (p == MAP_FAILED)
            _exit(9);
        for (size_t off = 0; off < (1 << 20); off += 4096)
            p[off] = 1;
    }
}

const std::set<std::string> kKeys = {"type",         "ts",           "pid",        "tid",        "ppid",
                                     "uid",          "gid",          "comm",         "cgroup_id",  "container_id", "trigger_pid",
                                     "trigger_comm", "constraint",   "memcg",      "memcg_limit_bytes", "rss_bytes",
                                     "oom_score_adj"};

std::set<std::string> keys_of(const nlohmann::json& j) {
    std::set<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it)
        keys.insert(it.key());
    return keys;
}

TEST(OomProbe, ReportsAProcessKilledInItsMemoryCgroup) {
    REQUIRE_ROOT();
    MemoryCgroup cg("kscope-oom-" + std::to_string(getpid()));
    ASSERT_TRUE(cg.ok()) << "no memory cgroup controller to limit";
    Kscope k({"oom", "--json"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    pid_t hog = spawn([&] {
        prctl(PR_SET_NAME, "kscope-oomhog");
        set_oom_score_adj(500);
        cg.join();
        touch_mib(1024);  // far past the limit
    });
    int status = wait_child(hog);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
    usleep(300'000);
    k.stop();

    auto events = events_for(k.json_lines(), "oom_kill", hog);
    ASSERT_EQ(events.size(), 1u) << k.stdout_text() << k.stderr_text();
    const auto& e = events[0];
    EXPECT_EQ(keys_of(e), kKeys) << e.dump();
    EXPECT_EQ(e["comm"], "kscope-oomhog");
    EXPECT_EQ(e["tid"], hog);
    EXPECT_EQ(e["ppid"], getpid());
    EXPECT_EQ(e["uid"], 0);
    EXPECT_EQ(e["trigger_pid"], hog);  // it ran out itself
    EXPECT_EQ(e["trigger_comm"], "kscope-oomhog");
    EXPECT_EQ(e["constraint"], "memcg");
    EXPECT_EQ(e["memcg"], cg.path());
    EXPECT_EQ(e["memcg_limit_bytes"], kLimit);
    EXPECT_EQ(e["oom_score_adj"], 500);
    // Nearly all of the cgroup's memory was the victim's.
    EXPECT_GT(e["rss_bytes"].get<uint64_t>(), kLimit / 2) << e.dump();
    EXPECT_LE(e["rss_bytes"].get<uint64_t>(), kLimit + (8 << 20)) << e.dump();
}

TEST(OomProbe, VictimAndTriggerAreToldApart) {
    REQUIRE_ROOT();
    MemoryCgroup cg("kscope-oom2-" + std::to_string(getpid()));
    ASSERT_TRUE(cg.ok()) << "no memory cgroup controller to limit";
    Kscope k({"oom", "--json"});
    ASSERT_TRUE(k.ready()) << k.stderr_text();
    // The victim holds 40 MiB and is the preferred victim; the trigger then needs 40 MiB
    // more than the limit leaves and survives the victim's death.
    int ready[2];
    ASSERT_EQ(pipe(ready), 0);
    pid_t victim = spawn([&] {
        prctl(PR_SET_NAME, "kscope-oomvict");
        set_oom_score_adj(1000);
        cg.join();
        touch_mib(40);
        if (write(ready[1], "x", 1) != 1)
            _exit(1);
        pause();
    });
    char c;
    ASSERT_EQ(read(ready[0], &c, 1), 1);
    pid_t trigger = spawn([&] {
        prctl(PR_SET_NAME, "kscope-oomtrig");
        set_oom_score_adj(-500);
        cg.join();
        touch_mib(40);
    });
    EXPECT_EQ(wait_child(trigger), 0) << "the trigger should outlive the victim";
    int status = wait_child(victim);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
    usleep(300'000);
    k.stop();

    auto events = events_for(k.json_lines(), "oom_kill", victim);
    ASSERT_EQ(events.size(), 1u) << k.stdout_text();
    EXPECT_EQ(events[0]["comm"], "kscope-oomvict");
    EXPECT_EQ(events[0]["trigger_pid"], trigger);
    EXPECT_EQ(events[0]["trigger_comm"], "kscope-oomtrig");
    EXPECT_EQ(events[0]["constraint"], "memcg");
    EXPECT_EQ(events[0]["memcg"], cg.path());
    EXPECT_EQ(events[0]["oom_score_adj"], 1000);
    EXPECT_TRUE(events_for(k.json_lines(), "oom_kill", trigger).empty());
}

}  // namespace
}  // namespace kscope::test
