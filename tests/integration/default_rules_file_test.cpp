// The built-in file rules against the real agent: each one's real action (open, unlink,
// chmod, symlink, link) in a forked child named like nothing the rule allows, the alert's
// fields, and a near miss (an allowed program, a harmless path or argument) that raises
// nothing. Files made below /etc, /usr/local/bin and /var/log are the test's own, with
// distinct names, removed at the end; /etc/passwd is opened for writing but not written.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>

#include "default_rules_helpers.h"

namespace kscope::test::default_rules {
namespace {
namespace fs = std::filesystem;

class DefaultRulesFile : public AgentSuite<DefaultRulesFile> {};

// open() as comm; 0 or -errno.
int open_as(const char* comm, const std::string& path, int flags) {
    set_comm(comm);
    int fd = open(path.c_str(), flags, 0600);
    if (fd < 0)
        return -errno;
    close(fd);
    return 0;
}

// A path of the test's own (distinct per run) in a system directory, removed at the end.
struct SystemFile {
    std::string path;
    explicit SystemFile(const std::string& p) : path(p) {}
    ~SystemFile() { unlink(path.c_str()); }
};

std::string unique(const std::string& stem) { return stem + std::to_string(getpid()); }

void write_file(const std::string& path, const std::string& text = "kscope test\n") {
    std::ofstream(path) << text;
}

TEST_F(DefaultRulesFile, ReadSensitiveFileUntrusted) {
    const std::string rule = "Read sensitive file untrusted";
    Held allowed([] { return open_as("sshd", "/etc/shadow", O_RDONLY); });
    Held harmless([] { return open_as("shadowpeek", "/etc/hostname", O_RDONLY); });
    Held hit([] { return open_as("shadowpeek", "/etc/shadow", O_RDONLY); });
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(harmless.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Warning", hit.pid(), "open",
                 "Sensitive file opened for reading by non-trusted program (file=/etc/shadow user=root uid=0 "
                 "process=shadowpeek");
    EXPECT_EQ(a["comm"], "shadowpeek");
    EXPECT_EQ(a["event"]["resolved_path"], "/etc/shadow");
    EXPECT_EQ(a["event"]["flags"], "O_RDONLY");
    EXPECT_GE(a["event"]["ret"].get<int64_t>(), 0);
    EXPECT_NE(a["tags"].dump().find("T1003.008"), std::string::npos) << a["tags"];
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
}

TEST_F(DefaultRulesFile, ReadSshPrivateKey) {
    const std::string rule = "Read ssh private key";
    TempDir home("kscope-rules-home");
    fs::create_directory(home.path() + "/.ssh");
    const std::string key = home.path() + "/.ssh/id_ed25519", pub = key + ".pub";
    write_file(key, "not really a key\n");
    write_file(pub, "not really a public key\n");
    Held allowed([&] { return open_as("ssh-agent", key, O_RDONLY); });
    Held harmless([&] { return open_as("keythief", pub, O_RDONLY); });
    Held hit([&] { return open_as("keythief", key, O_RDONLY); });
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(harmless.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Warning", hit.pid(), "open", "SSH private key read (file=" + key + " user=root process=keythief");
    EXPECT_EQ(a["event"]["resolved_path"], key);
    EXPECT_EQ(a["event"]["syscall"], "openat");
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
}

TEST_F(DefaultRulesFile, WriteBelowBinaryDir) {
    const std::string rule = "Write below binary dir";
    ASSERT_TRUE(fs::is_directory("/usr/local/bin")) << "the case writes a file of its own in /usr/local/bin";
    SystemFile hit_file(unique("/usr/local/bin/kscope-rules-hit-")), miss_file(unique("/usr/local/bin/kscope-rules-dpkg-"));
    TempDir dir("kscope-rules-bin");
    Held allowed([&] { return open_as("dpkg", miss_file.path, O_WRONLY | O_CREAT); });
    Held harmless([&] { return open_as("dropper", dir.path() + "/tool", O_WRONLY | O_CREAT); });
    Held hit([&] { return open_as("dropper", hit_file.path, O_WRONLY | O_CREAT); });
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(harmless.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Error", hit.pid(), "open",
                 "File below a known binary directory opened for writing (file=" + hit_file.path +
                     " user=root process=dropper");
    EXPECT_EQ(a["event"]["resolved_path"], hit_file.path);
    EXPECT_EQ(a["event"]["flags"], "O_WRONLY|O_CREAT");
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
}

TEST_F(DefaultRulesFile, WriteBelowEtc) {
    const std::string rule = "Write below etc";
    SystemFile hit_file(unique("/etc/kscope-rules-hit-")), miss_file(unique("/etc/kscope-rules-nginx-"));
    TempDir dir("kscope-rules-etc");
    Held allowed([&] { return open_as("nginx", miss_file.path, O_WRONLY | O_CREAT); });
    Held harmless([&] { return open_as("confwriter", dir.path() + "/app.conf", O_WRONLY | O_CREAT); });
    Held hit([&] { return open_as("confwriter", hit_file.path, O_WRONLY | O_CREAT); });
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(harmless.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Error", hit.pid(), "open",
                 "File below /etc opened for writing (file=" + hit_file.path + " user=root process=confwriter");
    EXPECT_EQ(a["event"]["resolved_path"], hit_file.path);
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
}

// /etc/passwd opened for writing (appending nothing: the file is unchanged).
TEST_F(DefaultRulesFile, ModifyUserDatabase) {
    const std::string rule = "Modify user database";
    Held allowed([] { return open_as("useradd", "/etc/passwd", O_WRONLY | O_APPEND); });
    Held harmless([] { return open_as("acctmangler", "/etc/passwd", O_RDONLY); });
    Held hit([] { return open_as("acctmangler", "/etc/passwd", O_WRONLY | O_APPEND); });
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(harmless.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Error", hit.pid(), "open",
                 "User database opened for writing (file=/etc/passwd user=root process=acctmangler");
    EXPECT_EQ(a["event"]["resolved_path"], "/etc/passwd");
    EXPECT_EQ(a["event"]["flags"], "O_WRONLY|O_APPEND");
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
    // The user database is left to this rule: Write below etc names it as an exception.
    EXPECT_TRUE(alerts_now(agent(), "Write below etc", hit.pid()).empty());
}

// /etc/sudoers opened for writing, appending nothing. Where sudo is not installed the test
// makes the (empty) file for the moment and removes it.
TEST_F(DefaultRulesFile, ModifySudoers) {
    const std::string rule = "Modify sudoers";
    const bool existed = fs::exists("/etc/sudoers");
    struct Cleanup {
        bool remove;
        ~Cleanup() {
            if (remove)
                unlink("/etc/sudoers");
        }
    } cleanup{!existed};
    const int flags = O_WRONLY | O_APPEND | (existed ? 0 : O_CREAT);
    TempDir dir("kscope-rules-sudo");
    Held allowed([&] { return open_as("visudo", "/etc/sudoers", flags); });
    ASSERT_EQ(allowed.result(), 0);
    Held harmless([&] { return open_as("sudoerspatch", dir.path() + "/sudoers", O_WRONLY | O_CREAT); });
    Held hit([&] { return open_as("sudoerspatch", "/etc/sudoers", flags); });
    ASSERT_EQ(harmless.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Error", hit.pid(), "open",
                 "Sudoers file opened for writing (file=/etc/sudoers user=root process=sudoerspatch");
    EXPECT_EQ(a["event"]["resolved_path"], "/etc/sudoers");
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
}

// A file named /etc/cron.<...>: the rule's prefix, but no cron reads it.
TEST_F(DefaultRulesFile, ScheduleCronJobs) {
    const std::string rule = "Schedule cron jobs";
    SystemFile hit_file(unique("/etc/cron.kscope-rules-hit-")), miss_file(unique("/etc/cron.kscope-rules-crontab-"));
    Held allowed([&] { return open_as("crontab", miss_file.path, O_WRONLY | O_CREAT); });
    Held harmless([&] { return open_as("jobplanter", hit_file.path, O_RDONLY | O_CREAT); });  // read (makes it)
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(harmless.result(), 0);
    Held hit([&] { return open_as("jobplanter", hit_file.path, O_WRONLY | O_APPEND); });
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Notice", hit.pid(), "open",
                 "Cron table opened for writing (file=" + hit_file.path + " user=root process=jobplanter");
    EXPECT_EQ(a["event"]["resolved_path"], hit_file.path);
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
    // Cron tables are this rule's: Write below etc leaves /etc/cron* out.
    EXPECT_TRUE(alerts_now(agent(), "Write below etc", hit.pid()).empty());
}

TEST_F(DefaultRulesFile, ModifySshAuthorizedKeys) {
    const std::string rule = "Modify ssh authorized keys";
    TempDir home("kscope-rules-home");
    fs::create_directory(home.path() + "/.ssh");
    const std::string keys = home.path() + "/.ssh/authorized_keys";
    Held allowed([&] { return open_as("ssh-copy-id", keys, O_WRONLY | O_CREAT | O_APPEND); });
    Held harmless([&] { return open_as("keyplanter", home.path() + "/.ssh/known_hosts", O_WRONLY | O_CREAT); });
    Held hit([&] { return open_as("keyplanter", keys, O_WRONLY | O_CREAT | O_APPEND); });
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(harmless.result(), 0);
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Warning", hit.pid(), "open",
                 "SSH authorized keys opened for writing (file=" + keys + " user=root process=keyplanter");
    EXPECT_EQ(a["event"]["resolved_path"], keys);
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
}

// Both shapes: a log truncated by open(O_TRUNC) and one deleted.
TEST_F(DefaultRulesFile, ClearLogActivities) {
    const std::string rule = "Clear log activities";
    SystemFile log(unique("/var/log/kscope-rules-") + ".log"), gone(unique("/var/log/kscope-rules-gone-") + ".log");
    write_file(log.path);
    write_file(gone.path);
    Held allowed([&] { return open_as("logrotate", log.path, O_WRONLY | O_TRUNC); });
    Held harmless([&] { return open_as("logwiper", log.path, O_WRONLY | O_APPEND); });
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(harmless.result(), 0);
    Held truncated([&] { return open_as("logwiper", log.path, O_WRONLY | O_TRUNC); });
    Held deleted([&] {
        set_comm("logwiper");
        return check(unlink(gone.path.c_str()));
    });
    ASSERT_EQ(truncated.result(), 0);
    ASSERT_EQ(deleted.result(), 0);
    auto a = one_alert(rule, truncated.pid());
    expect_alert(a, rule, "Warning", truncated.pid(), "open",
                 "Log file cleared (file=" + log.path + " syscall=openat user=root process=logwiper");
    EXPECT_EQ(a["event"]["flags"], "O_WRONLY|O_TRUNC");
    auto d = one_alert(rule, deleted.pid());
    expect_alert(d, rule, "Warning", deleted.pid(), "file_change", "Log file cleared (file=" + gone.path + " syscall=unlink");
    EXPECT_EQ(d["event"]["resolved_path"], gone.path);
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
}

// Deleted and truncated history files; a shell cleaning up its own history is left alone.
TEST_F(DefaultRulesFile, DeleteOrTruncateShellHistory) {
    const std::string rule = "Delete or truncate shell history";
    TempDir home("kscope-rules-home");
    const std::string bash = home.path() + "/.bash_history", zsh = home.path() + "/.zsh_history",
                      own = home.path() + "/own/.bash_history", profile = home.path() + "/.bash_profile";
    fs::create_directory(home.path() + "/own");
    for (const auto& p : {bash, zsh, own, profile})
        write_file(p);
    Held allowed([&] {
        set_comm("bash");
        return check(unlink(own.c_str()));
    });
    Held harmless([&] {
        set_comm("histwiper");
        return check(unlink(profile.c_str()));
    });
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(harmless.result(), 0);
    Held deleted([&] {
        set_comm("histwiper");
        return check(unlink(bash.c_str()));
    });
    Held truncated([&] { return open_as("histwiper", zsh, O_WRONLY | O_TRUNC); });
    ASSERT_EQ(deleted.result(), 0);
    ASSERT_EQ(truncated.result(), 0);
    auto d = one_alert(rule, deleted.pid());
    expect_alert(d, rule, "Warning", deleted.pid(), "file_change",
                 "Shell history deleted or truncated (file=" + bash + " syscall=unlink user=root process=histwiper");
    EXPECT_EQ(d["event"]["resolved_path"], bash);
    auto t = one_alert(rule, truncated.pid());
    expect_alert(t, rule, "Warning", truncated.pid(), "open",
                 "Shell history deleted or truncated (file=" + zsh + " syscall=openat");
    EXPECT_EQ(t["event"]["flags"], "O_WRONLY|O_TRUNC");
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
}

TEST_F(DefaultRulesFile, SetSetuidOrSetgidBit) {
    const std::string rule = "Set setuid or setgid bit";
    TempDir dir("kscope-rules-suid");
    const std::string file = dir.path() + "/tool", other = dir.path() + "/other";
    write_file(file);
    write_file(other);
    Held allowed([&] {
        set_comm("dpkg");
        return check(chmod(other.c_str(), 04755));
    });
    Held harmless([&] {
        set_comm("suidsetter");
        return check(chmod(other.c_str(), 0755));
    });
    ASSERT_EQ(allowed.result(), 0);
    ASSERT_EQ(harmless.result(), 0);
    Held hit([&] {
        set_comm("suidsetter");
        return check(chmod(file.c_str(), 04755));
    });
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Notice", hit.pid(), "file_change",
                 "Setuid or setgid bit set (file=" + file + " mode=04755 user=root process=suidsetter");
    EXPECT_EQ(a["event"]["resolved_path"], file);
    EXPECT_EQ(a["event"]["mode_bits"], json::array({"S_ISUID"}));
    EXPECT_EQ(a["event"]["mode"], "4755");
    expect_no_alert(rule, {allowed.pid(), harmless.pid()});
}

TEST_F(DefaultRulesFile, CreateSymlinkOverSensitiveFiles) {
    const std::string rule = "Create symlink over sensitive files";
    TempDir dir("kscope-rules-symlink");
    const std::string link = dir.path() + "/shadow-link", harmless_link = dir.path() + "/hostname-link";
    Held harmless([&] {
        set_comm("linkmaker");
        return check(symlink("/etc/hostname", harmless_link.c_str()));
    });
    ASSERT_EQ(harmless.result(), 0);
    Held hit([&] {
        set_comm("linkmaker");
        return check(symlink("/etc/shadow", link.c_str()));
    });
    ASSERT_EQ(hit.result(), 0);
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Warning", hit.pid(), "file_change",
                 "Symlink created over sensitive file (target=/etc/shadow link=" + link + " user=root process=linkmaker");
    EXPECT_EQ(a["event"]["path"], "/etc/shadow");
    EXPECT_EQ(a["event"]["resolved_new_path"], link);
    expect_no_alert(rule, {harmless.pid()});
}

// A hard link to /etc/shadow in a root-only (0700) directory, removed with it.
TEST_F(DefaultRulesFile, CreateHardlinkOverSensitiveFiles) {
    const std::string rule = "Create hardlink over sensitive files";
    TempDir dir("kscope-rules-hardlink");
    const std::string link = dir.path() + "/shadow-hard", plain = dir.path() + "/plain";
    write_file(plain);
    Held harmless([&] {
        set_comm("linkmaker");
        return check(::link(plain.c_str(), (plain + "-hard").c_str()));
    });
    ASSERT_EQ(harmless.result(), 0);
    Held hit([&] {
        set_comm("linkmaker");
        return check(::link("/etc/shadow", link.c_str()));
    });
    ASSERT_EQ(hit.result(), 0) << "a hard link needs /tmp and /etc on one file system";
    auto a = one_alert(rule, hit.pid());
    expect_alert(a, rule, "Warning", hit.pid(), "file_change",
                 "Hardlink created over sensitive file (target=/etc/shadow link=" + link + " user=root process=linkmaker");
    EXPECT_EQ(a["event"]["resolved_path"], "/etc/shadow");
    EXPECT_EQ(a["event"]["resolved_new_path"], link);
    expect_no_alert(rule, {harmless.pid()});
}

}  // namespace
}  // namespace kscope::test::default_rules
