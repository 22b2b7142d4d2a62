#include "probes/syscall_programs.h"

#include <filesystem>
#include <string>

#include "bpf/features.h"

namespace kscope {

Result<void> configure_syscall_programs(BpfObject& obj, std::span<const char* const> syscalls) {
    const bool from_regs = kernel_has_helper(BpfHelper::task_pt_regs);
    if (auto r = obj.set_const<bool>("args_from_regs", from_regs); !r)
        return r;
    // Without tracefs to look in, every program loads and attaching says what is missing.
    const std::string events = std::string(kTracefs) + "/events/syscalls/";
    std::error_code ec;
    const bool can_look = std::filesystem::is_directory(events, ec);
    for (const char* name : syscalls) {
        const std::string syscall(name);
        const bool exists = !can_look || std::filesystem::exists(events + "sys_exit_" + syscall, ec);
        if (auto r = obj.set_autoload("ks_" + syscall + "_enter", exists && !from_regs); !r)
            return r;
        if (auto r = obj.set_autoload("ks_" + syscall + "_exit", exists); !r)
            return r;
    }
    return {};
}

}  // namespace kscope
