#include "events/drop_reasons.h"

#include <bpf/btf.h>

#include <cerrno>
#include <string_view>

namespace kscope {

Result<DropReasons> DropReasons::load(const std::string& btf_path) {
    btf* b = btf__parse(btf_path.c_str(), nullptr);
    if (!b)
        return errno_error("reading kernel BTF " + btf_path, errno);
    int id = btf__find_by_name_kind(b, "skb_drop_reason", BTF_KIND_ENUM);
    if (id < 0) {
        btf__free(b);
        return Error{"kernel BTF has no enum skb_drop_reason (drop reasons need Linux 5.17+)"};
    }
    const btf_type* t = btf__type_by_id(b, id);
    const struct btf_enum* e = btf_enum(t);
    std::unordered_map<uint32_t, std::string> names;
    for (int i = 0; i < btf_vlen(t); i++, e++) {
        std::string_view n = btf__name_by_offset(b, e->name_off);
        for (std::string_view prefix : {"SKB_DROP_REASON_", "SKB_"})
            if (n.starts_with(prefix)) {
                n.remove_prefix(prefix.size());
                break;
            }
        names.emplace(static_cast<uint32_t>(e->val), std::string(n));
    }
    btf__free(b);
    return DropReasons(std::move(names));
}

std::string DropReasons::name(uint32_t reason) const {
    if (auto it = names_.find(reason); it != names_.end())
        return it->second;
    return "REASON_" + std::to_string(reason);
}

}  // namespace kscope
