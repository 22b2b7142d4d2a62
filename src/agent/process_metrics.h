// The agent's own CPU, memory and start time, in the standard Prometheus process_* names.
#pragma once

#include "metrics/prometheus_text.h"

namespace kscope {

void append_process_metrics(PrometheusText& m);

}  // namespace kscope
