// The rule fields of one kscope event: Falco's names mapped onto kscope's events, with
// the process's ancestry, user and group from the context (the process table).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "events/event.h"
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
};

// Falco's evt.type for a kscope event: execve, openat, connect, setuid, procexit...;
// kscope's own type name for events Falco has no syscall for (dns_query, drop, oom_kill).
std::string_view falco_event_type(const Event& e);

// Whether EventFields can produce the catalog field `name` (the catalog's test).
bool event_field_known(std::string_view name);

class EventFields final : public FieldSource {
public:
    EventFields(const Event& event, ProcessContext& context);
    ~EventFields() override;
    std::optional<FieldValue> get(const FieldRef& field) const override;

    const Event& event() const { return event_; }
    // The process the event belongs to (looked up once).
    const ProcessInfo* process() const;
    ProcessContext& context() const { return context_; }

    struct FdView;  // the file or connection the event is about, computed on first use

private:
    const Event& event_;
    ProcessContext& context_;
    mutable bool looked_up_ = false;
    mutable const ProcessInfo* process_ = nullptr;
    mutable std::unique_ptr<FdView> fd_;
};

}  // namespace kscope::rules
