#include "events/bpf_type_names.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cctype>
#include <string_view>

namespace kscope {
namespace {

// Every name of a BTF enum by value; of aliases (BPF_MAP_TYPE_CGROUP_STORAGE_DEPRECATED
// and BPF_MAP_TYPE_CGROUP_STORAGE are one value) the one not marked deprecated.
std::unordered_map<uint32_t, std::string> enum_names(const btf* b, const char* name) {
    std::unordered_map<uint32_t, std::string> out;
    int id = btf__find_by_name_kind(b, name, BTF_KIND_ENUM);
    if (id < 0)
        return out;
    const btf_type* t = btf__type_by_id(b, id);
    const struct btf_enum* e = btf_enum(t);
    for (int i = 0; i < btf_vlen(t); i++, e++) {
        std::string_view n = btf__name_by_offset(b, e->name_off);
        auto [it, added] = out.emplace(uint32_t(e->val), std::string(n));
        if (!added && it->second.ends_with("_DEPRECATED"))
            it->second = n;
    }
    return out;
}

// libbpf's "kprobe" -> "BPF_PROG_TYPE_KPROBE"; "" when libbpf does not know it either.
std::string libbpf_name(const char* short_name, std::string_view prefix) {
    if (!short_name)
        return "";
    std::string out(prefix);
    for (const char* c = short_name; *c; c++)
        out += char(std::toupper(static_cast<unsigned char>(*c)));
    return out;
}

}  // namespace

BpfTypeNames BpfTypeNames::from_kernel() {
    std::unordered_map<uint32_t, std::string> progs, maps;
    if (btf* b = btf__load_vmlinux_btf()) {
        progs = enum_names(b, "bpf_prog_type");
        maps = enum_names(b, "bpf_map_type");
        btf__free(b);
    }
    return BpfTypeNames(std::move(progs), std::move(maps));
}

std::string BpfTypeNames::prog_type(uint32_t type) const {
    if (auto it = prog_types_.find(type); it != prog_types_.end())
        return it->second;
    std::string name = libbpf_name(libbpf_bpf_prog_type_str(static_cast<bpf_prog_type>(type)), "BPF_PROG_TYPE_");
    return name.empty() ? std::to_string(type) : name;
}

std::string BpfTypeNames::map_type(uint32_t type) const {
    if (auto it = map_types_.find(type); it != map_types_.end())
        return it->second;
    std::string name = libbpf_name(libbpf_bpf_map_type_str(static_cast<bpf_map_type>(type)), "BPF_MAP_TYPE_");
    return name.empty() ? std::to_string(type) : name;
}

}  // namespace kscope
