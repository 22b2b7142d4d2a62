// One line that says what an event is, per type (the table's "details" column).

const peer = (e) => `${e.saddr}:${e.sport} → ${e.daddr}:${e.dport}`;

const BY_TYPE = {
  exec: (e) => (e.argv && e.argv.length ? e.argv.join(" ") : e.filename) + (e.ret ? ` (${e.error})` : ""),
  exit: (e) => `exit ${e.exit_code ?? ""}${e.signal ? " signal " + e.signal : ""}`,
  open: (e) => `${e.path} ${e.flags || ""}${e.ret < 0 ? " (" + e.error + ")" : ""}`,
  tcp_connect: (e) => `${peer(e)}${e.error ? " (" + e.error + ")" : ""}`,
  tcp_accept: peer,
  tcp_close: (e) => `${peer(e)} sent ${e.bytes_sent} B, received ${e.bytes_received} B`,
  tcp_retransmit: peer,
  tcp_reset_sent: peer,
  tcp_reset_received: peer,
  drop: (e) => `${e.reason} ${e.protocol || ""} ${e.saddr || ""}${e.daddr ? " → " + e.daddr : ""}`,
  dns_query: (e) => `${e.name} ${e.query_type}`,
  dns_response: (e) => `${e.name} ${e.query_type} ${e.rcode} ${(e.addresses || []).join(" ")}`,
  oom_kill: (e) => `killed ${e.pid} ${e.comm} (rss ${e.rss_bytes} B)`,
  socket: (e) => `${e.syscall} ${e.family} ${e.addr ? e.addr + ":" + e.port : ""}`,
  alert: (e) => `${e.priority} ${e.rule}: ${e.output}`,
  file_change: (e) => `${e.operation || e.syscall || ""} ${e.path || ""}`,
};

export function summary(e) {
  const f = BY_TYPE[e.type];
  if (f) {
    try { return f(e); } catch { /* fall through */ }
  }
  const skip = new Set(["type", "ts", "pid", "tid", "ppid", "uid", "gid", "comm", "cgroup_id", "container_id"]);
  return Object.entries(e).filter(([k]) => !skip.has(k))
    .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join(" ").slice(0, 300);
}

export const EVENT_TYPES = ["exec", "exit", "open", "tcp_connect", "tcp_accept", "tcp_close", "tcp_retransmit",
  "tcp_reset_sent", "tcp_reset_received", "drop", "dns_query", "dns_response", "oom_kill", "privilege", "ptrace",
  "module_load", "bpf", "perf_event_open", "userfaultfd", "namespace", "mount", "file_change", "memfd_create",
  "socket", "alert"];
