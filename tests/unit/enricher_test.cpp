// The enricher keeps the process cache current from exec and exit events.
#include <gtest/gtest.h>

#include "pipeline/enricher.h"

namespace kscope {
namespace {

TEST(Enricher, ExecUpdatesAndExitRemovesTheProcess) {
    ProcessCache cache(16);
    ProcessInfo seeded;
    seeded.pid = 50;
    seeded.exe = "/bin/bash";
    seeded.container_id = std::string(64, 'c');  // known from /proc when the cgroup is unknown
    cache.upsert(seeded);
    Enricher enricher(cache, /*cgroup_mount=*/"");

    ExecEvent exec;
    exec.common.pid = 50;
    exec.common.ppid = 1;
    exec.common.uid = 1000;
    exec.common.comm = "ls";
    exec.common.cgroup_id = 1234;
    exec.filename = "/bin/ls";
    exec.argv = {"ls", "-l"};
    exec.start_boot_ns = 777;
    Event e = exec;
    enricher.enrich(e);
    EXPECT_EQ(common_of(e).container_id, std::string(64, 'c'));
    const ProcessInfo* p = cache.find(50);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->exe, "/bin/ls");
    EXPECT_EQ(p->argv, (std::vector<std::string>{"ls", "-l"}));
    EXPECT_EQ(p->comm, "ls");
    EXPECT_EQ(p->uid, 1000u);
    EXPECT_EQ(p->start_boot_ns, 777u);

    // A failed exec changes nothing.
    ExecEvent failed = exec;
    failed.ret = -2;
    failed.filename = "/missing";
    Event f = failed;
    enricher.enrich(f);
    EXPECT_EQ(cache.find(50)->exe, "/bin/ls");

    ExitEvent exit;
    exit.common.pid = 50;
    Event x = exit;
    enricher.enrich(x);
    EXPECT_NE(cache.find(50), nullptr);  // later stages (rules) still see the exiting process
    enricher.forget(x);
    EXPECT_EQ(cache.find(50), nullptr);
}

}  // namespace
}  // namespace kscope
