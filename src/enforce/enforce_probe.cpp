#include "enforce/enforce_probe.h"

#include <bpf/bpf.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include "bpf/features.h"
#include "enforce.skel.h"
#include "events/ip_address.h"
#include "events/syscall_names.h"
#include "kscope/abi/enforce.h"

namespace kscope::enforce {
namespace {

struct HookPrograms {
    kscope_enforce_hook hook;
    std::vector<const char*> programs;
};

const std::vector<HookPrograms>& hook_programs() {
    static const std::vector<HookPrograms> h = {
        {KSCOPE_HOOK_EXEC, {"ks_enforce_execve", "ks_enforce_execveat", "ks_enforce_exec"}},
        {KSCOPE_HOOK_OPEN_WRITE,
         {"ks_enforce_openat", "ks_enforce_open", "ks_enforce_creat", "ks_enforce_openat2", "ks_enforce_openat_exit",
          "ks_enforce_open_exit", "ks_enforce_creat_exit", "ks_enforce_openat2_exit"}},
        {KSCOPE_HOOK_PTRACE, {"ks_enforce_ptrace", "ks_enforce_process_vm_writev"}},
        {KSCOPE_HOOK_MODULE, {"ks_enforce_init_module", "ks_enforce_finit_module"}},
        {KSCOPE_HOOK_BPF, {"ks_enforce_bpf"}},
        {KSCOPE_HOOK_SETID,
         {"ks_enforce_setuid", "ks_enforce_setgid", "ks_enforce_setreuid", "ks_enforce_setregid",
          "ks_enforce_setresuid", "ks_enforce_setresgid", "ks_enforce_setfsuid", "ks_enforce_setfsgid",
          "ks_enforce_setgroups", "ks_enforce_capset"}},
        {KSCOPE_HOOK_NAMESPACE, {"ks_enforce_setns", "ks_enforce_unshare"}},
        {KSCOPE_HOOK_MOUNT, {"ks_enforce_mount", "ks_enforce_umount", "ks_enforce_pivot_root", "ks_enforce_chroot"}},
        {KSCOPE_HOOK_CONNECT, {"ks_enforce_connect4", "ks_enforce_connect6"}},
        {KSCOPE_HOOK_SENDMSG, {"ks_enforce_sendmsg4", "ks_enforce_sendmsg6"}},
        {KSCOPE_HOOK_BIND, {"ks_enforce_bind4", "ks_enforce_bind6"}},
    };
    return h;
}

// A syscall's name with static storage, for the events' const char* fields.
const char* static_syscall_name(int64_t nr) {
    static const char* const kNames[] = {
        "execve", "execveat", "open", "openat", "openat2", "creat", "ptrace", "process_vm_writev", "init_module",
        "finit_module", "bpf", "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid",
        "setfsgid", "setgroups", "capset", "setns", "unshare", "mount", "umount2", "pivot_root", "chroot"};
    for (const char* n : kNames)
        if (auto v = syscall_number(n); v && int64_t(*v) == nr)
            return n;
    return "";
}

// An event of type T for a call the kernel acted on: its process and syscall.
template <typename T>
Event call_event(const CommonFields& c, const char* syscall) {
    T x;
    x.common = c;
    x.syscall = syscall;
    return x;
}

// The event the kernel acted on, in the form the same call has in user space, so the
// rule's output template fills as for any alert.
Event trigger_event(const CommonFields& c, const kscope_enforce_event& e, const std::string& path) {
    const char* syscall = static_syscall_name(e.syscall);
    const std::string addr = ip_address_text(e.family == AF_INET6 ? AF_INET6 : AF_INET,
                                             e.family == AF_INET6 ? e.addr : e.addr + 12);
    switch (e.hook) {
        case KSCOPE_HOOK_EXEC: {
            ExecEvent x;
            x.common = c;
            x.filename = path;
            x.execveat = std::string_view(syscall) == "execveat";
            return x;
        }
        case KSCOPE_HOOK_OPEN_WRITE: {
            OpenEvent x;
            x.common = c;
            x.syscall = *syscall ? syscall : "openat";
            x.path = path;
            x.resolved_path = path;
            x.resolution = e.stage ? "fd" : "as_passed";
            x.open_flags = 1;  // O_WRONLY: what the kernel hook acts on
            return x;
        }
        case KSCOPE_HOOK_PTRACE: return call_event<PtraceEvent>(c, syscall);
        case KSCOPE_HOOK_MODULE: return call_event<ModuleLoadEvent>(c, syscall);
        case KSCOPE_HOOK_SETID: return call_event<PrivilegeEvent>(c, syscall);
        case KSCOPE_HOOK_NAMESPACE: return call_event<NamespaceEvent>(c, syscall);
        case KSCOPE_HOOK_MOUNT:
            return call_event<MountEvent>(c, std::string_view(syscall) == "umount2" ? "umount" : syscall);
        case KSCOPE_HOOK_BPF: {
            BpfEvent x;
            x.common = c;
            return x;
        }
        case KSCOPE_HOOK_CONNECT: {
            TcpEvent x;
            x.common = c;
            x.event = "connect";
            x.family = e.family == AF_INET6 ? "ipv6" : "ipv4";
            x.daddr = addr;
            x.dport = e.port;
            return x;
        }
        default: {  // sendmsg, bind
            SocketEvent x;
            x.common = c;
            x.syscall = e.hook == KSCOPE_HOOK_BIND ? "bind" : "sendmsg";
            x.family = e.family == AF_INET6 ? "ipv6" : "ipv4";
            x.sock_type = e.hook == KSCOPE_HOOK_BIND ? "" : "dgram";
            x.addr = addr;
            x.port = e.port;
            return x;
        }
    }
}

Result<void> update(int fd, const void* key, const void* value) {
    if (bpf_map_update_elem(fd, key, value, BPF_ANY) != 0)
        return Error{std::string("enforcement map update: ") + std::strerror(errno)};
    return {};
}

// Deletes every key of a hash or trie map whose generation (at gen_offset) is gen.
template <typename Key>
void delete_generation(int fd, uint32_t gen, uint32_t Key::*gen_field) {
    std::vector<Key> doomed;
    Key key{}, next{};
    const void* prev = nullptr;
    while (bpf_map_get_next_key(fd, prev, &next) == 0) {
        if (next.*gen_field == gen)
            doomed.push_back(next);
        key = next;
        prev = &key;
    }
    for (const auto& k : doomed)
        bpf_map_delete_elem(fd, &k);
}

}  // namespace

std::span<const uint8_t> EnforceProbe::elf() const { return skeleton_elf(enforce_bpf__elf_bytes); }

Result<void> EnforceProbe::configure(BpfObject& obj) {
    if (auto r = obj.set_const("self_tgid", static_cast<uint32_t>(getpid())); !r)
        return r;
    // Without module support the module syscalls have no tracepoints to attach to.
    const bool modules = tracepoint_exists("syscalls/sys_enter_init_module") &&
                         tracepoint_exists("syscalls/sys_enter_finit_module");
    for (const char* p : {"ks_enforce_init_module", "ks_enforce_finit_module"})
        if (auto r = obj.set_autoload(p, modules); !r)
            return r;
    return {};
}

Result<void> EnforceProbe::attach_hook(kscope_enforce_hook hook) {
    if (attached_[hook])
        return {};
    for (const auto& hp : hook_programs()) {
        if (hp.hook != hook)
            continue;
        for (const char* program : hp.programs) {
            HookStatus s = obj_->attach_program(program);
            if (!s.attached && s.error == "no such program")
                continue;
            hooks_.push_back(s);
            if (!s.attached)
                return Error{"enforcement hook " + std::string(hook_name(hook)) + ": cannot attach " + program +
                             " to " + s.hook + ": " + s.error};
        }
    }
    attached_[hook] = true;
    return {};
}

Result<void> EnforceProbe::write_generation(uint32_t gen, const KernelPolicy& policy, uint32_t rule_base, bool audit) {
    auto fd = [&](const char* map) {
        auto r = obj_->map_fd(map);
        return r ? *r : -1;
    };
    uint64_t hook_bits[KSCOPE_HOOKS] = {}, free_bits[KSCOPE_DIMS] = {}, neg_only[KSCOPE_DIMS] = {}, after = 0;
    std::map<std::string, uint64_t> paths, not_paths, prefixes, comms, not_comms;
    std::map<uint16_t, uint64_t> ports;
    std::map<std::array<uint8_t, 16>, uint64_t> addrs;
    std::map<uint32_t, uint64_t> syscalls;
    for (size_t i = 0; i < policy.slots.size() && i < KSCOPE_ENFORCE_SLOTS; i++) {
        const KernelSlot& s = policy.slots[i];
        const SlotTests& t = s.tests;
        const uint64_t bit = 1ULL << i;
        hook_bits[s.hook] |= bit;
        auto dim = [&](kscope_enforce_dim d, bool positive, bool negative) {
            if (!positive && !negative)
                free_bits[d] |= bit;
            else if (!positive)
                neg_only[d] |= bit;
        };
        dim(KSCOPE_DIM_PATH, !t.paths.empty() || !t.prefixes.empty(), !t.not_paths.empty());
        dim(KSCOPE_DIM_COMM, !t.comms.empty(), !t.not_comms.empty());
        dim(KSCOPE_DIM_PORT, !t.ports.empty(), false);
        dim(KSCOPE_DIM_ADDR, !t.addrs.empty(), false);
        dim(KSCOPE_DIM_SYSCALL, !t.syscalls.empty(), false);
        if (t.after_only)
            after |= bit;
        for (const auto& p : t.paths) paths[p] |= bit;
        for (const auto& p : t.not_paths) not_paths[p] |= bit;
        for (const auto& p : t.prefixes) prefixes[p] |= bit;
        for (const auto& c : t.comms) comms[c] |= bit;
        for (const auto& c : t.not_comms) not_comms[c] |= bit;
        for (auto p : t.ports) ports[p] |= bit;
        for (const auto& a : t.addrs) addrs[a] |= bit;
        for (auto nr : t.syscalls) syscalls[nr] |= bit;
        kscope_enforce_slot slot{};
        slot.rule_id = rule_base + static_cast<uint32_t>(s.rule);
        slot.action = s.action == rules::Action::Deny ? KSCOPE_ACTION_DENY : KSCOPE_ACTION_KILL;
        slot.audit = audit ? 1 : 0;
        uint32_t idx = gen * KSCOPE_ENFORCE_SLOTS + static_cast<uint32_t>(i);
        if (auto r = update(fd("slots"), &idx, &slot); !r)
            return r;
    }
    // The trie answers with the longest prefix only: each carries the slots of the
    // shorter prefixes it extends.
    std::map<std::string, uint64_t> folded;
    for (const auto& [p, bits] : prefixes)
        for (const auto& [q, qbits] : prefixes)
            if (p.starts_with(q))
                folded[p] |= qbits;
    for (const auto& [p, bits] : paths) {
        kscope_enforce_path_key k{};
        k.gen = gen;
        std::memcpy(k.path, p.data(), p.size());
        if (auto r = update(fd("path_match"), &k, &bits); !r) return r;
    }
    for (const auto& [p, bits] : not_paths) {
        kscope_enforce_path_key k{};
        k.gen = gen;
        std::memcpy(k.path, p.data(), std::min(p.size(), sizeof(k.path) - 1));
        if (auto r = update(fd("path_unmatch"), &k, &bits); !r) return r;
    }
    for (const auto& [p, bits] : folded) {
        kscope_enforce_prefix_key k{};
        k.gen = static_cast<uint8_t>(gen);
        k.prefixlen = static_cast<uint32_t>(8 + 8 * p.size());
        std::memcpy(k.path, p.data(), p.size());
        if (auto r = update(fd("prefix_match"), &k, &bits); !r) return r;
    }
    for (auto* m : {&comms, &not_comms})
        for (const auto& [c, bits] : *m) {
            kscope_enforce_comm_key k{};
            k.gen = gen;
            std::memcpy(k.comm, c.data(), std::min(c.size(), sizeof(k.comm) - 1));
            if (auto r = update(fd(m == &comms ? "comm_match" : "comm_unmatch"), &k, &bits); !r) return r;
        }
    for (const auto& [p, bits] : ports) {
        kscope_enforce_port_key k{};
        k.gen = gen;
        k.port = p;
        if (auto r = update(fd("port_match"), &k, &bits); !r) return r;
    }
    for (const auto& [a, bits] : addrs) {
        kscope_enforce_addr_key k{};
        k.gen = gen;
        std::memcpy(k.addr, a.data(), 16);
        if (auto r = update(fd("addr_match"), &k, &bits); !r) return r;
    }
    for (const auto& [nr, bits] : syscalls) {
        kscope_enforce_syscall_key k{gen, nr};
        if (auto r = update(fd("syscall_match"), &k, &bits); !r) return r;
    }
    for (uint32_t d = 0; d < KSCOPE_DIMS; d++) {
        uint32_t idx = gen * KSCOPE_DIMS + d;
        if (auto r = update(fd("dim_free"), &idx, &free_bits[d]); !r) return r;
        if (auto r = update(fd("dim_neg_only"), &idx, &neg_only[d]); !r) return r;
    }
    if (auto r = update(fd("after_only"), &gen, &after); !r)
        return r;
    // The hooks last: until they are set, nothing of this generation can match.
    for (uint32_t h = 0; h < KSCOPE_HOOKS; h++) {
        uint32_t idx = gen * KSCOPE_HOOKS + h;
        if (auto r = update(fd("hook_slots"), &idx, &hook_bits[h]); !r) return r;
    }
    return {};
}

void EnforceProbe::disable() {
    auto fd = obj_->map_fd("hook_slots");
    if (!fd)
        return;
    const uint64_t none = 0;
    for (uint32_t i = 0; i < 2 * KSCOPE_HOOKS; i++)
        bpf_map_update_elem(*fd, &i, &none, BPF_ANY);
}

void EnforceProbe::clear_generation(uint32_t gen) {
    auto fd = [&](const char* map) {
        auto r = obj_->map_fd(map);
        return r ? *r : -1;
    };
    const uint64_t zero = 0;
    for (uint32_t h = 0; h < KSCOPE_HOOKS; h++) {
        uint32_t idx = gen * KSCOPE_HOOKS + h;
        bpf_map_update_elem(fd("hook_slots"), &idx, &zero, BPF_ANY);
    }
    delete_generation<kscope_enforce_path_key>(fd("path_match"), gen, &kscope_enforce_path_key::gen);
    delete_generation<kscope_enforce_path_key>(fd("path_unmatch"), gen, &kscope_enforce_path_key::gen);
    delete_generation<kscope_enforce_comm_key>(fd("comm_match"), gen, &kscope_enforce_comm_key::gen);
    delete_generation<kscope_enforce_comm_key>(fd("comm_unmatch"), gen, &kscope_enforce_comm_key::gen);
    delete_generation<kscope_enforce_port_key>(fd("port_match"), gen, &kscope_enforce_port_key::gen);
    delete_generation<kscope_enforce_addr_key>(fd("addr_match"), gen, &kscope_enforce_addr_key::gen);
    delete_generation<kscope_enforce_syscall_key>(fd("syscall_match"), gen, &kscope_enforce_syscall_key::gen);
    // The trie's generation is a byte after prefixlen.
    std::vector<kscope_enforce_prefix_key> doomed;
    kscope_enforce_prefix_key key{}, next{};
    const void* prev = nullptr;
    while (bpf_map_get_next_key(fd("prefix_match"), prev, &next) == 0) {
        if (next.gen == gen)
            doomed.push_back(next);
        key = next;
        prev = &key;
    }
    for (const auto& k : doomed)
        bpf_map_delete_elem(fd("prefix_match"), &k);
}

Result<void> EnforceProbe::apply(const KernelPolicy& policy, const std::vector<rules::Rule>& rules, bool audit) {
    if (!obj_)
        return Error{"the enforcement programs are not loaded"};
    std::set<kscope_enforce_hook> needed;
    for (const auto& s : policy.slots)
        needed.insert(s.hook);
    for (auto h : needed)
        if (auto r = attach_hook(h); !r) {
            disable();  // the caller falls back to user space: the old policy must not act too
            return r;
        }
    const uint32_t next = applied_ ? (gen_ ^ 1) : 1;  // generation 0 starts empty
    const uint32_t rule_base = next_rule_id_;
    std::map<uint32_t, RuleLabel> labels;
    for (const auto& v : policy.verdicts) {
        const auto& rule = rules.at(v.rule);
        labels[rule_base + static_cast<uint32_t>(v.rule)] =
            RuleLabel{rule.name, std::string(rules::priority_name(rule.priority)), rule.tags};
    }
    {
        std::lock_guard lock(labels_mu_);
        labels_.insert(labels.begin(), labels.end());
    }
    // The generation before the active one is written over: a call still being tested
    // against it has long finished (programs re-check the generation before acting).
    clear_generation(next);
    Result<void> written = write_generation(next, policy, rule_base, audit);
    uint32_t zero = 0;
    auto active = obj_->map_fd("active_gen");
    if (written && !active)
        written = active.error();
    if (written)
        written = update(*active, &zero, &next);
    if (!written) {
        clear_generation(next);
        disable();
        return written;
    }
    // The old generation stays as it was (inert) until the next apply: a program that
    // read the generation before the switch finds its entries intact.
    gen_ = next;
    applied_ = true;
    next_rule_id_ += static_cast<uint32_t>(rules.size());
    std::lock_guard lock(labels_mu_);
    std::map<uint32_t, RuleLabel> current = labels;
    for (const auto& [id, l] : current_labels_)
        labels.try_emplace(id, l);  // events of the old policy may still be in the ring
    labels_ = std::move(labels);
    current_labels_ = std::move(current);
    return {};
}

Result<Event> EnforceProbe::decode(RawEvent raw, const DecodeContext& ctx) const {
    auto common = decode_header(raw, KSCOPE_EVENT_ENFORCE, sizeof(kscope_enforce_event), ctx);
    if (!common)
        return common.error().context("enforce event");
    kscope_enforce_event e;
    std::memcpy(&e, raw.data(), sizeof(e));
    if (sizeof(e) + e.path_len > raw.size())
        return Error{"enforce event: path of " + std::to_string(e.path_len) + " bytes runs past the event's end"};
    std::string path(reinterpret_cast<const char*>(raw.data()) + sizeof(e), e.path_len);
    AlertEvent a;
    a.common = *common;
    {
        std::lock_guard lock(labels_mu_);
        auto it = labels_.find(e.rule_id);
        if (it == labels_.end())
            return Error{"enforce event: unknown rule id " + std::to_string(e.rule_id)};
        a.rule = it->second.name;
        a.priority = it->second.priority;
        a.tags = it->second.tags;
    }
    const std::string verb = e.action == KSCOPE_ACTION_DENY ? "deny" : "kill";
    a.action = e.audit ? "would_" + verb : verb;
    a.in_kernel = true;
    a.hook = std::string(hook_name(static_cast<kscope_enforce_hook>(e.hook < KSCOPE_HOOKS ? e.hook : 0)));
    a.stage = e.stage ? "after_call" : "syscall_entry";
    if (e.hook >= KSCOPE_HOOK_CONNECT)
        a.stage = "cgroup_sock_addr";
    a.trigger = std::make_shared<TriggerEvent>(TriggerEvent{trigger_event(*common, e, path)});
    return Event(std::move(a));
}

}  // namespace kscope::enforce
