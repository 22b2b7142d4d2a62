// Helpers shared by the profile tests: a temporary directory, a child program whose
// printed "NAME ADDRESS" lines say which address should get which name, and named stacks
// for the output writers.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "profile/symbolizer.h"

extern char** environ;

namespace kscope::testing {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "kscope-profile-XXXXXX").string();
        path_ = mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& rest) const { return path_ + "/" + rest; }

private:
    std::string path_;
};

// Runs argv (no shell); true when it exits 0.
inline bool run(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    for (const auto& a : argv)
        args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid;
    if (posix_spawnp(&pid, args[0], nullptr, nullptr, args.data(), environ) != 0)
        return false;
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// A started symbolizer_target: its printed names and addresses; it stays alive (blocked
// on stdin) until destroyed.
class TargetProcess {
public:
    explicit TargetProcess(const std::string& path) {
        int in[2], out[2];
        if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
            return;
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, in[0], 0);
        posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        char* argv[] = {const_cast<char*>(path.c_str()), nullptr};
        if (posix_spawn(&pid_, path.c_str(), &fa, nullptr, argv, environ) != 0)
            pid_ = -1;
        posix_spawn_file_actions_destroy(&fa);
        close(in[0]);
        close(out[1]);
        stdin_ = in[1];
        FILE* f = fdopen(out[0], "r");
        char line[512];
        while (f && std::fgets(line, sizeof line, f)) {
            std::string s(line);
            if (s.rfind("end ", 0) == 0)
                break;
            size_t space = s.rfind(' ');
            if (space != std::string::npos)
                addresses[s.substr(0, space)] = std::strtoull(s.c_str() + space + 1, nullptr, 16);
        }
        if (f)
            fclose(f);
    }
    ~TargetProcess() {
        if (stdin_ >= 0)
            close(stdin_);  // the target exits at EOF
        if (pid_ > 0)
            waitpid(pid_, nullptr, 0);
    }
    pid_t pid() const { return pid_; }

    std::map<std::string, uint64_t> addresses;  // expected name -> address

private:
    pid_t pid_ = -1;
    int stdin_ = -1;
};

// A named frame of /usr/bin/app (build id aabbccdd, loaded at 0x555555554000).
inline Frame user_frame(const std::string& fn, uint64_t addr) {
    Frame f;
    f.function = fn;
    f.module = "/usr/bin/app";
    f.build_id = "aabbccdd";
    f.address = addr;
    f.file_offset = addr - 0x555555554000;
    f.symbolized = true;
    return f;
}

// A named kernel frame.
inline Frame kernel_frame(const std::string& fn, uint64_t addr) {
    Frame f;
    f.function = fn;
    f.module = kKernelModule;
    f.address = addr;
    f.kernel = true;
    f.symbolized = true;
    return f;
}

// app: main -> run -> hot_loop (two threads, 7 + 3), main -> run -> write_out -> kernel
// write (4); the idle task in the kernel (6). Total 20.
inline std::vector<SymbolizedStack> sample_stacks() {
    Frame main_f = user_frame("main", 0x555555555100), run = user_frame("run", 0x555555555200),
          hot = user_frame("hot_loop", 0x555555555310), out = user_frame("write_out", 0x555555555400);
    return {
        {100, 100, "app", {main_f, run, hot}, 7},
        {100, 101, "app", {main_f, run, hot}, 3},
        {100, 100, "app",
         {main_f, run, out, kernel_frame("entry_SYSCALL_64", 0xffffffff82000050),
          kernel_frame("ksys_write", 0xffffffff81300020)},
         4},
        {0, 0, "swapper/0",
         {kernel_frame("secondary_startup_64", 0xffffffff81000100), kernel_frame("cpu_idle", 0xffffffff81100040)}, 6},
    };
}

}  // namespace kscope::testing
