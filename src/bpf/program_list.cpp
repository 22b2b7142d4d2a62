#include "bpf/program_list.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <unistd.h>

namespace kscope {

std::vector<BpfProgramInfo> list_bpf_programs() {
    std::vector<BpfProgramInfo> out;
    uint32_t id = 0;
    while (bpf_prog_get_next_id(id, &id) == 0) {
        const int fd = bpf_prog_get_fd_by_id(id);
        if (fd < 0)
            continue;  // unloaded meanwhile
        bpf_prog_info info{};
        uint32_t len = sizeof info;
        if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
            const char* type = libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(info.type));
            out.push_back({id, info.name, type ? type : std::to_string(info.type), info.run_cnt, info.run_time_ns});
        }
        close(fd);
    }
    return out;
}

}  // namespace kscope
