#include "enforce/kernel_policy.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "events/syscall_names.h"
#include "rules/ip_net.h"

namespace kscope::enforce {
namespace {

using rules::Action;
using rules::CmpOp;
using rules::Expr;

constexpr size_t kMaxConjunctions = 32;  // per rule, after expanding its `or`s

struct Literal {
    const Expr* cmp;
    bool neg;
};
using Conjunction = std::vector<Literal>;

// The condition as an `or` of `and`s of (possibly negated) comparisons; false when it
// would take more than kMaxConjunctions.
bool to_dnf(const Expr& e, bool neg, std::vector<Conjunction>& out) {
    switch (e.kind) {
        case Expr::Kind::Compare: out = {{{&e, neg}}}; return true;
        case Expr::Kind::Not: return to_dnf(e.children.at(0), !neg, out);
        case Expr::Kind::Macro: out.clear(); return true;  // never after checking: matches nothing
        case Expr::Kind::And:
        case Expr::Kind::Or: break;
    }
    const bool is_and = (e.kind == Expr::Kind::And) != neg;  // De Morgan under a not
    if (!is_and) {
        out.clear();
        for (const auto& c : e.children) {
            std::vector<Conjunction> part;
            if (!to_dnf(c, neg, part)) return false;
            out.insert(out.end(), part.begin(), part.end());
            if (out.size() > kMaxConjunctions) return false;
        }
        return true;
    }
    out = {Conjunction{}};
    for (const auto& c : e.children) {
        std::vector<Conjunction> part, next;
        if (!to_dnf(c, neg, part)) return false;
        for (const auto& a : out)
            for (const auto& b : part) {
                Conjunction both = a;
                both.insert(both.end(), b.begin(), b.end());
                next.push_back(std::move(both));
            }
        if (next.size() > kMaxConjunctions) return false;
        out = std::move(next);
    }
    return true;
}

struct Family {
    kscope_enforce_hook hook;
    std::vector<std::string_view> names;  // Falco's evt.type values the hook sees
    bool whole = false;                   // the condition must name every one (no syscall test there)
};

const std::vector<Family>& families() {
    static const std::vector<Family> f = {
        {KSCOPE_HOOK_EXEC, {"execve", "execveat"}, true},
        {KSCOPE_HOOK_OPEN_WRITE, {"open", "openat", "openat2", "creat"}, true},
        {KSCOPE_HOOK_PTRACE, {"ptrace", "process_vm_writev"}},
        {KSCOPE_HOOK_MODULE, {"init_module", "finit_module"}},
        {KSCOPE_HOOK_BPF, {"bpf"}},
        {KSCOPE_HOOK_SETID,
         {"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setfsuid", "setfsgid", "setgroups",
          "capset"}},
        {KSCOPE_HOOK_NAMESPACE, {"setns", "unshare"}},
        {KSCOPE_HOOK_MOUNT, {"mount", "umount", "pivot_root", "chroot"}},
        {KSCOPE_HOOK_CONNECT, {"connect"}},
        {KSCOPE_HOOK_SENDMSG, {"sendto", "sendmsg"}, true},  // the socket hook cannot tell them apart
        {KSCOPE_HOOK_BIND, {"bind"}},
    };
    return f;
}

bool socket_hook(kscope_enforce_hook h) {
    return h == KSCOPE_HOOK_CONNECT || h == KSCOPE_HOOK_SENDMSG || h == KSCOPE_HOOK_BIND;
}

std::optional<std::array<uint8_t, 16>> address(const std::string& text) {
    auto net = rules::parse_ip_net(text);
    const bool v6 = net && net->addr.family == 6;
    if (!net || net->prefix != (v6 ? 128 : 32)) return std::nullopt;  // one address, no network
    std::array<uint8_t, 16> a{};
    if (v6) {
        std::copy(net->addr.bytes.begin(), net->addr.bytes.end(), a.begin());
    } else {
        a[10] = a[11] = 0xff;
        std::copy(net->addr.bytes.begin(), net->addr.bytes.begin() + 4, a.begin() + 12);
    }
    return a;
}

// One `and`, analysed: the evt.type values, and the tests in the kernel's terms.
struct Analysis {
    std::optional<std::set<std::string>> types;  // nullopt: not restricted
    std::set<std::string> not_types;
    bool never = false;        // a test that is always false (evt.num = 0): the `and` never matches
    bool open_write = false;   // evt.is_open_write = true
    std::string problem;       // first test the kernel cannot decide
    // tests by where they apply (the field names them)
    std::vector<Literal> exe_paths, file_paths, comms, peer_ports, local_ports, peer_addrs, local_addrs;
    bool after_only = false;
};

std::vector<std::string> texts(const Expr& e) {
    std::vector<std::string> out;
    for (const auto& v : e.values) out.push_back(v.text);
    return out;
}

void analyse_literal(const Literal& l, Analysis& a) {
    const Expr& e = *l.cmp;
    CmpOp op = e.op;
    bool neg = l.neg;
    if (op == CmpOp::Ne) {
        op = CmpOp::Eq;
        neg = !neg;
    }
    const std::string& f = e.field.name;
    const std::string v0 = e.values.empty() ? "" : e.values[0].text;
    auto cannot = [&](const std::string& why) {
        if (a.problem.empty()) a.problem = why;
    };
    auto set_test = op == CmpOp::Eq || op == CmpOp::In;
    if (f == "evt.type") {
        if (!set_test) return cannot("evt.type " + std::string(op_name(e.op)) + " cannot be decided in the kernel");
        auto vals = texts(e);
        if (neg) {
            a.not_types.insert(vals.begin(), vals.end());
        } else {
            std::set<std::string> s(vals.begin(), vals.end());
            if (a.types) {
                std::set<std::string> both;
                std::set_intersection(a.types->begin(), a.types->end(), s.begin(), s.end(),
                                      std::inserter(both, both.begin()));
                s = std::move(both);
            }
            a.types = std::move(s);
        }
        return;
    }
    if (f == "evt.dir" && op == CmpOp::Eq) {  // kscope reports completed calls: always <
        if ((v0 == "<") == neg) a.never = true;
        return;
    }
    if (f == "evt.num" && op == CmpOp::Eq && v0 == "0") {  // Falco's never_true
        if (!neg) a.never = true;
        return;
    }
    if (!neg && ((f == "evt.res" && op == CmpOp::Eq && v0 == "SUCCESS") ||
                 ((f == "evt.rawres" || f == "fd.num") && ((op == CmpOp::Ge && v0 == "0") || (op == CmpOp::Gt && v0 == "-1"))))) {
        a.after_only = true;
        return;
    }
    if (f == "evt.is_open_write" && op == CmpOp::Eq && v0 == "true" && !neg) {
        a.open_write = true;
        return;
    }
    const bool path_op = set_test || op == CmpOp::StartsWith || op == CmpOp::PMatch;
    if (f == "proc.exepath" || f == "fd.name") {
        if (!path_op || (neg && !set_test))
            return cannot(f + " " + (neg ? "not " : "") + std::string(op_name(e.op)) + " cannot be decided in the kernel");
        (f == "fd.name" ? a.file_paths : a.exe_paths).push_back({l.cmp, neg});
        return;
    }
    if (f == "proc.name") {
        if (!set_test) return cannot("proc.name " + std::string(op_name(e.op)) + " cannot be decided in the kernel");
        a.comms.push_back({l.cmp, neg});
        return;
    }
    const bool is_port = f == "fd.sport" || f == "fd.dport" || f == "fd.rport" || f == "fd.lport";
    const bool is_addr = f == "fd.sip" || f == "fd.dip" || f == "fd.rip" || f == "fd.lip";
    if (is_port || is_addr) {
        if (!set_test || neg)
            return cannot(f + " " + (neg ? "not " : "") + std::string(op_name(e.op)) +
                          " cannot be decided in the kernel (only = and in)");
        if (is_addr)
            for (const auto& v : e.values)
                if (!address(v.text)) return cannot(f + " " + v.text + ": only single addresses, not networks");
        // Which end the field names depends on the hook: decided in slot_tests().
        if (is_port) (f == "fd.lport" ? a.local_ports : f == "fd.rport" || f == "fd.dport" ? a.peer_ports : a.peer_ports).push_back({l.cmp, neg});
        if (is_addr) (f == "fd.lip" ? a.local_addrs : f == "fd.rip" || f == "fd.dip" ? a.peer_addrs : a.peer_addrs).push_back({l.cmp, neg});
        return;
    }
    cannot("field '" + f + "' cannot be decided in the kernel");
}

// Positive set tests on one dimension intersect; nullopt: untested.
std::optional<std::set<std::string>> intersect_sets(const std::vector<Literal>& tests) {
    std::optional<std::set<std::string>> out;
    for (const auto& l : tests) {
        if (l.neg) continue;
        auto vals = texts(*l.cmp);
        std::set<std::string> s(vals.begin(), vals.end());
        if (out) {
            std::set<std::string> both;
            std::set_intersection(out->begin(), out->end(), s.begin(), s.end(), std::inserter(both, both.begin()));
            s = std::move(both);
        }
        out = std::move(s);
    }
    return out;
}

// The path tests of one slot; false (with why) when they cannot be expressed.
bool path_tests(const std::vector<Literal>& tests, SlotTests& t, bool& never, std::string& why) {
    const Literal* positive = nullptr;
    for (const auto& l : tests) {
        if (l.neg) {
            for (const auto& v : l.cmp->values) t.not_paths.push_back(v.text);
            continue;
        }
        if (positive) {
            why = "two tests on " + l.cmp->field.name + " in one `and` cannot be decided in the kernel";
            return false;
        }
        positive = &l;
    }
    if (!positive) return true;
    for (const auto& v : positive->cmp->values) {
        if (v.text.size() >= KSCOPE_ENFORCE_PATH_MAX) continue;  // longer paths never match in the kernel
        switch (positive->cmp->op) {
            case CmpOp::StartsWith: t.prefixes.push_back(v.text); break;
            case CmpOp::PMatch:  // the directory itself and what is below it
                t.paths.push_back(v.text);
                t.prefixes.push_back(v.text.ends_with('/') ? v.text : v.text + "/");
                break;
            default: t.paths.push_back(v.text); break;
        }
    }
    if (t.paths.empty() && t.prefixes.empty()) never = true;
    return true;
}

void comm_tests(const std::vector<Literal>& tests, SlotTests& t, bool& never) {
    auto fits = [](const std::string& s) { return s.size() < KSCOPE_COMM_LEN; };  // longer never equals a comm
    if (auto names = intersect_sets(tests)) {
        for (const auto& n : *names)
            if (fits(n)) t.comms.push_back(n);
        if (t.comms.empty()) never = true;
    }
    for (const auto& l : tests)
        if (l.neg)
            for (const auto& v : l.cmp->values)
                if (fits(v.text)) t.not_comms.push_back(v.text);
}

}  // namespace

bool kernel_undecided(const Event& event) {
    constexpr size_t kMax = KSCOPE_ENFORCE_PATH_MAX - 1;
    if (const auto* e = std::get_if<ExecEvent>(&event)) return e->filename.size() > kMax;
    if (const auto* o = std::get_if<OpenEvent>(&event)) return o->path.size() > kMax || o->resolved_path.size() > kMax;
    return false;
}

std::string_view hook_name(kscope_enforce_hook hook) {
    switch (hook) {
        case KSCOPE_HOOK_EXEC: return "exec";
        case KSCOPE_HOOK_OPEN_WRITE: return "open_write";
        case KSCOPE_HOOK_PTRACE: return "ptrace";
        case KSCOPE_HOOK_MODULE: return "module";
        case KSCOPE_HOOK_BPF: return "bpf";
        case KSCOPE_HOOK_SETID: return "setid";
        case KSCOPE_HOOK_NAMESPACE: return "namespace";
        case KSCOPE_HOOK_MOUNT: return "mount";
        case KSCOPE_HOOK_CONNECT: return "connect";
        case KSCOPE_HOOK_SENDMSG: return "sendmsg";
        case KSCOPE_HOOK_BIND: return "bind";
        case KSCOPE_HOOKS: break;
    }
    return "?";
}

namespace {

// One `and` as slots (one per hook it reaches); false with the reason when it cannot be.
bool conjunction_slots(const Conjunction& c, const rules::Rule& rule, size_t index, std::vector<KernelSlot>& out,
                       std::string& why) {
    Analysis a;
    for (const auto& l : c) analyse_literal(l, a);
    if (a.never) return true;  // contributes nothing
    if (!a.problem.empty()) {
        why = a.problem;
        return false;
    }
    if (!a.types) {
        why = "the condition does not name evt.type, so no hook covers it";
        return false;
    }
    std::set<std::string> types;
    for (const auto& t : *a.types)
        if (!a.not_types.count(t)) types.insert(t);
    for (const auto& family : families()) {
        std::vector<std::string> named;
        for (auto n : family.names)
            if (types.count(std::string(n))) named.emplace_back(n);
        if (named.empty()) continue;
        for (const auto& n : named) types.erase(n);
        const kscope_enforce_hook hook = family.hook;
        KernelSlot slot{index, hook, rule.action, {}};
        SlotTests& t = slot.tests;
        if (family.whole) {
            for (auto n : family.names)
                if (n != "creat" && std::find(named.begin(), named.end(), n) == named.end()) {
                    why = "evt.type names " + named.front() + " without " + std::string(n) + " (the " +
                          std::string(hook_name(hook)) + " hook sees both)";
                    return false;
                }
        } else if (named.size() < family.names.size()) {
            for (const auto& n : named) {
                // kscope's umount event is the umount2 syscall (x86-64 has no other).
                auto nr = syscall_number(n == "umount" ? "umount2" : n);
                if (!nr) {
                    why = "no syscall number for " + n + " on this architecture";
                    return false;
                }
                t.syscalls.push_back(*nr);
            }
        }
        if (socket_hook(hook) != (rule.action == Action::Deny)) {
            why = rule.action == Action::Deny ? "deny acts on connect, sendto/sendmsg and bind only"
                                              : "kill cannot act in a socket hook (use deny)";
            return false;
        }
        if (a.after_only && hook != KSCOPE_HOOK_EXEC && hook != KSCOPE_HOOK_OPEN_WRITE) {
            why = "the call's result is known only after it; the " + std::string(hook_name(hook)) +
                  " hook acts at its entry";
            return false;
        }
        t.after_only = a.after_only;
        bool never = false;
        auto wrong = [&](const std::vector<Literal>& tests) {
            if (tests.empty()) return false;
            why = tests.front().cmp->field.name + " cannot be decided at the " + std::string(hook_name(hook)) + " hook";
            return true;
        };
        if (hook == KSCOPE_HOOK_EXEC) {
            if (wrong(a.file_paths)) return false;
            if (!path_tests(a.exe_paths, t, never, why)) return false;
        } else if (hook == KSCOPE_HOOK_OPEN_WRITE) {
            if (!a.open_write) {
                why = "an open is acted on in the kernel only for writing (add evt.is_open_write = true)";
                return false;
            }
            if (wrong(a.exe_paths) || !path_tests(a.file_paths, t, never, why)) return false;
        } else if (wrong(a.exe_paths) || wrong(a.file_paths)) {
            return false;
        }
        if (!socket_hook(hook) && (wrong(a.peer_ports) || wrong(a.local_ports) || wrong(a.peer_addrs) ||
                                   wrong(a.local_addrs)))
            return false;
        if (socket_hook(hook)) {
            // bind: the port and address are local (fd.sport/fd.sip of a listener); connect,
            // sendmsg: the peer's.
            const bool bind = hook == KSCOPE_HOOK_BIND;
            std::vector<Literal> ports = bind ? a.local_ports : a.peer_ports;
            std::vector<Literal> addrs = bind ? a.local_addrs : a.peer_addrs;
            if (bind) {
                for (const auto& l : a.peer_ports)
                    if (l.cmp->field.name == "fd.sport") ports.push_back(l);
                    else return wrong({l}), false;
                for (const auto& l : a.peer_addrs)
                    if (l.cmp->field.name == "fd.sip") addrs.push_back(l);
                    else return wrong({l}), false;
            } else if (wrong(a.local_ports) || wrong(a.local_addrs)) {
                return false;
            }
            if (auto ps = intersect_sets(ports)) {
                for (const auto& p : *ps) {
                    int n = std::atoi(p.c_str());
                    if (n >= 0 && n <= 65535) t.ports.push_back(static_cast<uint16_t>(n));
                }
                if (t.ports.empty()) never = true;
            }
            if (auto as = intersect_sets(addrs)) {
                for (const auto& s : *as)
                    if (auto bytes = address(s)) t.addrs.push_back(*bytes);
                if (t.addrs.empty()) never = true;
            }
        }
        comm_tests(a.comms, t, never);
        if (!never) out.push_back(std::move(slot));
    }
    if (!types.empty()) {
        why = "the kernel cannot act on evt.type " + *types.begin();
        return false;
    }
    return true;
}

}  // namespace

KernelPolicy compile_kernel_policy(const std::vector<rules::Rule>& rules) {
    KernelPolicy p;
    for (size_t i = 0; i < rules.size(); i++) {
        const auto& rule = rules[i];
        if (rule.action == Action::Alert) continue;
        RuleVerdict v{i, false, "", {}};
        std::vector<Conjunction> dnf;
        std::vector<KernelSlot> slots;
        std::string why;
        if (!rule.checked) {
            why = "no checked condition";
        } else if (!to_dnf(*rule.checked, false, dnf)) {
            why = "the condition has more than " + std::to_string(kMaxConjunctions) + " alternatives";
        } else {
            for (const auto& c : dnf)
                if (!conjunction_slots(c, rule, i, slots, why)) break;
            if (why.empty() && slots.empty()) why = "the condition can never match in the kernel";
            if (why.empty() && p.slots.size() + slots.size() > KSCOPE_ENFORCE_SLOTS)
                why = "no room: the kernel holds " + std::to_string(KSCOPE_ENFORCE_SLOTS) + " slots";
        }
        if (why.empty()) {
            v.in_kernel = true;
            for (auto& s : slots) {
                v.slots.push_back(p.slots.size());
                p.slots.push_back(std::move(s));
            }
        } else {
            v.reason = why;
        }
        p.verdicts.push_back(std::move(v));
    }
    return p;
}

std::string describe_slot(const KernelSlot& slot) {
    std::string out = std::string(hook_name(slot.hook)) + ":";
    auto list = [&](const char* map, const auto& items, auto show) {
        if (items.empty()) return;
        out += std::string(" ") + map + "[";
        for (size_t i = 0; i < items.size(); i++) out += (i ? "," : "") + show(items[i]);
        out += "]";
    };
    auto same = [](const std::string& s) { return s; };
    const SlotTests& t = slot.tests;
    list("path_match", t.paths, same);
    list("prefix_match", t.prefixes, same);
    list("path_unmatch", t.not_paths, same);
    list("comm_match", t.comms, same);
    list("comm_unmatch", t.not_comms, same);
    list("port_match", t.ports, [](uint16_t p) { return std::to_string(p); });
    list("addr_match", t.addrs, [](const std::array<uint8_t, 16>& a) {
        rules::IpAddr ip;
        const bool v4 = std::all_of(a.begin(), a.begin() + 10, [](uint8_t b) { return b == 0; }) && a[10] == 0xff &&
                        a[11] == 0xff;
        ip.family = v4 ? 4 : 6;
        std::copy(v4 ? a.begin() + 12 : a.begin(), a.end(), ip.bytes.begin());
        return rules::ip_text(ip);
    });
    list("syscall_match", t.syscalls, [](uint32_t nr) { return syscall_name(nr); });
    if (t.after_only) out += " after_only";
    out += " -> " + std::string(rules::action_name(slot.action));
    return out;
}

}  // namespace kscope::enforce
