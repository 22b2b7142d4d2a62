// /: the machine and the agent at a glance, from /metrics (rates over the last poll) and
// the profiler's last minute.
import { h, num, rate, bytes, percent, table, panel, tile, empty } from "./dom.js";
import { history } from "./metrics.js";
import { TimeChart } from "./charts.js";
import { loadStacks, topProcesses } from "./profile_data.js";

const PRIORITIES = ["Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"];

function rows(map, limit = 10) {
  return [...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, limit);
}

export default function overviewView(root) {
  const tiles = h("div", { class: "tiles" });
  const chartBox = h("div");
  const programs = h("div", { class: "scroll" });
  const alerts = h("div");
  const procs = h("div", {}, empty("loading the profiler's last minute…"));
  const syscalls = h("div");
  const net = h("div");
  const disk = h("div");
  root.append(h("h1", {}, "Overview"), tiles,
    h("div", { class: "grid" },
      h("section", { class: "panel wide" }, h("h2", {}, "Events per second, by probe"), chartBox),
      panel("BPF cost per program (like bpftop)", programs),
      panel("Alerts by priority", alerts),
      panel("Top processes by CPU (profiler, last minute)", procs),
      panel("Syscalls", syscalls),
      panel("Network", net),
      panel("Disk", disk)));
  const chart = new TimeChart(chartBox, { format: (v) => num(v) });

  const draw = (m) => {
    if (m.snapshots.length < 1) return;
    const lost = m.value("kscope_events_dropped_total");
    const bpfCpu = m.rate("kscope_bpf_program_run_seconds_total");
    tiles.replaceChildren(
      tile("events/s", rate(m.rate("kscope_events_total")), "tile-events"),
      tile("events lost (total)", num(lost), "tile-lost"),
      tile("alerts (total)", num(m.value("kscope_alerts_total")), "tile-alerts"),
      tile("BPF programs, of one CPU", percent(bpfCpu)),
      tile("agent, of one CPU", percent(m.rate("process_cpu_seconds_total"))),
      tile("agent memory", bytes(m.value("process_resident_memory_bytes"))),
      tile("probes up", `${m.value("kscope_probe_up")} / ${m.values("kscope_probe_up", "probe").size}`));
    chart.update(m.rateSeries("kscope_events_total", "probe"));

    const runs = m.rates("kscope_bpf_program_runs_total", "program");
    const secs = m.rates("kscope_bpf_program_run_seconds_total", "program");
    const probeOf = new Map();
    for (const x of m.latest().samples)
      if (x.name === "kscope_bpf_program_runs_total") probeOf.set(x.labels.program, x.labels.probe);
    programs.replaceChildren(table([
      { label: "program", value: ([p]) => h("span", { class: "mono" }, p) },
      { label: "probe", value: ([p]) => probeOf.get(p) || "" },
      { label: "runs/s", num: true, value: ([p]) => rate(runs.get(p) || 0) },
      { label: "ns/run", num: true, value: ([p, s]) => (runs.get(p) ? Math.round((s * 1e9) / runs.get(p)) : "–") },
      { label: "CPU", num: true, value: ([, s]) => percent(s) },
    ], rows(secs, 12)));

    const total = m.values("kscope_alerts_total", "priority");
    const now = m.rates("kscope_alerts_total", "priority");
    const seen = PRIORITIES.filter((p) => total.has(p));
    alerts.replaceChildren(seen.length ? table([
      { label: "priority", value: (p) => h("a", { href: "/alerts?priority=" + p, class: "prio prio-" + p }, p) },
      { label: "total", num: true, value: (p) => num(total.get(p) || 0) },
      { label: "per minute", num: true, value: (p) => num((now.get(p) || 0) * 60) },
    ], seen) : empty("no rules loaded"));

    const sc = m.rates("kscope_syscalls_total", "syscall");
    const errs = m.rates("kscope_syscall_errors_total", "syscall");
    syscalls.replaceChildren(sc.size ? table([
      { label: "syscall", value: ([s]) => h("span", { class: "mono" }, s) },
      { label: "calls/s", num: true, value: ([, v]) => rate(v) },
      { label: "errors/s", num: true, value: ([s]) => rate(errs.get(s) || 0) },
    ], rows(sc, 8)) : empty("the syscalls probe is off"));

    net.replaceChildren(table([
      { label: "", value: ([k]) => k },
      { label: "per second", num: true, value: ([, v]) => rate(v) },
    ], [
      ["TCP connections opened", m.rate("kscope_tcp_connections_opened_total")],
      ["TCP connections accepted", m.rate("kscope_tcp_connections_accepted_total")],
      ["TCP connects failed", m.rate("kscope_tcp_connections_failed_total")],
      ["TCP retransmits", m.rate("kscope_tcp_retransmits_total")],
      ["DNS queries", m.rate("kscope_dns_queries_total")],
      ["packets dropped", m.rate("kscope_packet_drops_total")],
      ["socket bytes read", m.rate("kscope_file_io_bytes_total", (l) => l.file_type === "socket" && l.op === "read")],
      ["socket bytes written", m.rate("kscope_file_io_bytes_total", (l) => l.file_type === "socket" && l.op === "write")],
    ]));

    const io = m.rates("kscope_block_io_bytes_total", "op");
    const diskRows = [...io.entries()].filter(([op]) => op === "read" || op === "write");
    disk.replaceChildren(diskRows.length ? table([
      { label: "block I/O", value: ([op]) => op },
      { label: "bytes/s", num: true, value: ([, v]) => bytes(v) + "/s" },
    ], [...diskRows, ...[...m.rates("kscope_file_io_bytes_total", "op", (l) => l.file_type === "regular")]
      .map(([op, v]) => ["files " + op, v])]) : empty("the biolat probe is off"));
  };
  const off = history.subscribe(draw);

  let stopped = false, timer = null;
  const loadProcs = async () => {
    try {
      const top = topProcesses(await loadStacks({ since: "1m" }));
      procs.replaceChildren(top.length ? table([
        { label: "pid", num: true, value: (p) => p.pid },
        { label: "command", value: (p) => h("a", { href: `/profile?pid=${p.pid}&since=15m` }, p.comm) },
        { label: "samples", num: true, value: (p) => num(p.count) },
        { label: "share", num: true, value: (p) => percent(p.share) },
      ], top) : empty("no samples in the last minute"));
    } catch (e) {
      procs.replaceChildren(empty(e.message));
    }
    if (!stopped) timer = setTimeout(loadProcs, 10000);
  };
  loadProcs();
  return () => { stopped = true; clearTimeout(timer); off(); chart.destroy(); };
}
