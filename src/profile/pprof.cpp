#include "profile/pprof.h"

#include <map>
#include <tuple>
#include <unordered_map>

#include "profile.pb.h"
#include "profile/gzip.h"

namespace kscope {
namespace {

namespace pb = perftools::profiles;

// x86-64 and arm64 kernels live in the upper half of the address space.
constexpr uint64_t kKernelHalf = 1ULL << 63;

class StringTable {
public:
    explicit StringTable(pb::Profile& p) : p_(p) { index(""); }
    int64_t index(const std::string& s) {
        auto [it, added] = ids_.emplace(s, static_cast<int64_t>(p_.string_table_size()));
        if (added)
            p_.add_string_table(s);
        return it->second;
    }

private:
    pb::Profile& p_;
    std::unordered_map<std::string, int64_t> ids_;
};

// Builds mappings, locations and functions once each while samples are added.
class ProfileBuilder {
public:
    explicit ProfileBuilder(pb::Profile& p) : p_(p), strings_(p) {}
    StringTable& strings() { return strings_; }

    uint64_t location(uint32_t pid, const Frame& f) {
        const uint64_t mapping = mapping_id(pid, f);
        auto key = std::make_tuple(mapping, f.address, f.function);
        auto it = locations_.find(key);
        if (it != locations_.end())
            return it->second;
        auto* loc = p_.add_location();
        loc->set_id(static_cast<uint64_t>(p_.location_size()));
        loc->set_mapping_id(mapping);
        loc->set_address(f.address);
        loc->add_line()->set_function_id(function_id(f.function));
        locations_.emplace(std::move(key), loc->id());
        return loc->id();
    }

private:
    uint64_t function_id(const std::string& name) {
        auto it = functions_.find(name);
        if (it != functions_.end())
            return it->second;
        auto* fn = p_.add_function();
        fn->set_id(static_cast<uint64_t>(p_.function_size()));
        fn->set_name(strings_.index(name));
        fn->set_system_name(fn->name());
        functions_.emplace(name, fn->id());
        return fn->id();
    }

    // One mapping per file per process (addresses are per address space), and one per
    // kernel image or module; its range grows to cover the addresses seen in it.
    uint64_t mapping_id(uint32_t pid, const Frame& f) {
        if (f.module.empty())
            return 0;
        auto key = std::make_tuple(f.kernel ? 0u : pid, f.module, f.build_id);
        auto it = mappings_.find(key);
        pb::Mapping* m;
        if (it == mappings_.end()) {
            m = p_.add_mapping();
            m->set_id(static_cast<uint64_t>(p_.mapping_size()));
            m->set_filename(strings_.index(f.module));
            m->set_build_id(strings_.index(f.build_id));
            m->set_has_functions(true);
            m->set_memory_start(f.address);
            m->set_memory_limit(f.address + 1);
            m->set_file_offset(f.kernel ? 0 : f.file_offset);
            mappings_.emplace(std::move(key), static_cast<int>(p_.mapping_size() - 1));
            return m->id();
        }
        m = p_.mutable_mapping(it->second);
        if (f.address < m->memory_start()) {
            // Keep file_offset the offset of memory_start (same load base).
            if (!f.kernel)
                m->set_file_offset(f.file_offset);
            m->set_memory_start(f.address);
        }
        if (f.address >= m->memory_limit())
            m->set_memory_limit(f.address + 1);
        return m->id();
    }

    pb::Profile& p_;
    StringTable strings_;
    std::map<std::tuple<uint32_t, std::string, std::string>, int> mappings_;  // -> index
    std::map<std::tuple<uint64_t, uint64_t, std::string>, uint64_t> locations_;
    std::unordered_map<std::string, uint64_t> functions_;
};

}  // namespace

std::string write_pprof(const std::vector<SymbolizedStack>& stacks, const PprofOptions& options) {
    pb::Profile p;
    ProfileBuilder b(p);
    auto& st = b.strings();
    auto* first = p.add_sample_type();
    first->set_type(st.index(options.sample_type));
    first->set_unit(st.index(options.sample_unit));
    if (options.period_ns > 0) {
        auto* cpu = p.add_sample_type();
        cpu->set_type(st.index("cpu"));
        cpu->set_unit(st.index("nanoseconds"));
        p.mutable_period_type()->set_type(cpu->type());
        p.mutable_period_type()->set_unit(cpu->unit());
        p.set_period(static_cast<int64_t>(options.period_ns));
    } else {
        *p.mutable_period_type() = *first;
        p.set_period(1);
    }
    p.set_time_nanos(options.time_nanos);
    p.set_duration_nanos(options.duration_nanos);
    const int64_t pid_key = st.index("pid"), tid_key = st.index("tid"), comm_key = st.index("comm");
    for (const auto& s : stacks) {
        if (s.count == 0)
            continue;
        auto* sample = p.add_sample();
        for (size_t i = s.frames.size(); i-- > 0;)  // pprof wants the leaf first
            sample->add_location_id(b.location(s.pid, s.frames[i]));
        sample->add_value(static_cast<int64_t>(s.count));
        if (options.period_ns > 0)
            sample->add_value(static_cast<int64_t>(s.count * options.period_ns));
        auto* pid = sample->add_label();
        pid->set_key(pid_key);
        pid->set_num(s.pid);
        if (s.tid != 0) {
            auto* tid = sample->add_label();
            tid->set_key(tid_key);
            tid->set_num(s.tid);
        }
        auto* comm = sample->add_label();
        comm->set_key(comm_key);
        comm->set_str(st.index(s.comm));
    }
    return gzip_compress(p.SerializeAsString());
}

Result<FoldedProfile> pprof_to_folded(std::string_view data) {
    std::string raw;
    if (is_gzip(data)) {
        auto unzipped = gzip_decompress(data);
        if (!unzipped.ok())
            return unzipped.error().context("reading the pprof file");
        raw = std::move(*unzipped);
    } else {
        raw = std::string(data);
    }
    pb::Profile p;
    if (!p.ParseFromString(raw))
        return Error{"not a pprof profile: the protobuf does not parse"};
    auto str = [&](int64_t i) -> std::string {
        return i >= 0 && i < p.string_table_size() ? p.string_table(static_cast<int>(i)) : std::string();
    };
    std::unordered_map<uint64_t, const pb::Function*> functions;
    for (const auto& f : p.function())
        functions[f.id()] = &f;
    std::unordered_map<uint64_t, const pb::Mapping*> mappings;
    for (const auto& m : p.mapping())
        mappings[m.id()] = &m;
    // Each location's frames, root first (a location lists inlined callees first).
    std::unordered_map<uint64_t, std::vector<std::string>> location_frames;
    for (const auto& loc : p.location()) {
        auto mit = mappings.find(loc.mapping_id());
        const bool kernel = loc.address() >= kKernelHalf ||
                            (mit != mappings.end() && str(mit->second->filename()) == kKernelModule);
        auto& frames = location_frames[loc.id()];
        for (int i = loc.line_size(); i-- > 0;) {
            auto fit = functions.find(loc.line(i).function_id());
            std::string name = fit != functions.end() ? str(fit->second->name()) : std::string(kUnknownFunction);
            for (char& c : name)
                if (c == ';' || c == '\n')
                    c = ':';
            if (kernel)
                name += kKernelSuffix;
            frames.push_back(std::move(name));
        }
        if (frames.empty())
            frames.push_back(kUnknownFunction);
    }
    const int64_t comm_key = [&] {
        for (int i = 0; i < p.string_table_size(); i++)
            if (p.string_table(i) == "comm")
                return int64_t(i);
        return int64_t(-1);
    }();
    FoldedProfile out;
    for (const auto& s : p.sample()) {
        if (s.value_size() == 0 || s.value(0) <= 0)
            continue;
        std::string key;
        for (const auto& l : s.label())
            if (l.key() == comm_key && comm_key > 0)
                key = l.str() ? str(l.str()) : std::string(kUnknownFunction);
        for (int i = s.location_id_size(); i-- > 0;) {
            for (const auto& f : location_frames[s.location_id(i)]) {
                if (!key.empty())
                    key += ';';
                key += f;
            }
        }
        out[key] += static_cast<uint64_t>(s.value(0));
    }
    return out;
}

}  // namespace kscope
