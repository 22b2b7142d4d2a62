// One event -> one JSON object (no newline), per the DESIGN.md contract: type, ts, pid,
// tid, ppid, uid, comm, cgroup_id, container_id, then the event's own fields.
#pragma once

#include <string>

#include "events/event.h"

namespace kscope {

void append_event_json(std::string& out, const Event& event);

}  // namespace kscope
