// The rule fields of one kscope event: Falco's names mapped onto kscope's events, with
// the process's ancestry, user and group from the context (the process table).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "events/event.h"
#include "pipeline/container_runtime.h"
#include "pipeline/process_cache.h"
#include "pipeline/user_db.h"
#include "rules/condition_eval.h"

namespace kscope::rules {

// What the event does not carry itself. Lookups may fill caches, hence not const.
class ProcessContext {
public:
    virtual ~ProcessContext() = default;
    virtual const ProcessInfo* process(uint32_t pid) = 0;
    virtual const UserEntry* user(uint32_t uid) = 0;
    virtual const std::string* group(uint32_t gid) = 0;
    virtual const std::string& hostname() = 0;
    // The runtime's name and image for a container id; nullptr when not known (yet).
    virtual const ContainerMeta* container(const std::string& /*id*/) { return nullptr; }
};

// Falco's evt.type for a kscope event: execve, openat, connect, setuid, procexit...;
// kscope's own type name for events Falco has no syscall for (dns_query, drop, oom_kill).
std::string_view falco_event_type(const Event& e);

// Whether EventFields can produce the catalog field `name` (the catalog's test).
bool event_field_known(std::string_view name);

class EventFields final : public FieldSource {
public:
    // number: the event's evt.num, its place in the stream (from 1).
    EventFields(const Event& event, ProcessContext& context, uint64_t number = 1);
    ~EventFields() override;
    std::optional<FieldValue> get(const FieldRef& field) const override;

    const Event& event() const { return event_; }
    // The process the event belongs to (looked up once).
    const ProcessInfo* process() const;
    ProcessContext& context() const { return context_; }
    uint64_t number() const { return number_; }

    struct FdView;  // the file or connection the event is about, computed on first use

private:
    const Event& event_;
    ProcessContext& context_;
    uint64_t number_;
    mutable bool looked_up_ = false;
    mutable const ProcessInfo* process_ = nullptr;
    mutable std::unique_ptr<FdView> fd_;
};

}  // namespace kscope::rules
