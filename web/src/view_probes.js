// /probes: the doctor table, live: each probe's hooks, state, events, losses and cost.
import { getJSON } from "./api.js";
import { h, num, rate, percent, table, empty } from "./dom.js";

function lost(p) {
  const d = p.dropped || {};
  return (d.ring_buffer || 0) + (d.kernel_skipped || 0) + (d.queue || 0) + (d.malformed || 0);
}

export default function probesView(root) {
  const body = h("div", { class: "panel" }, empty("loading…"));
  root.append(h("h1", {}, "Probes"),
    h("p", { class: "note" }, "Every probe of this agent: the hooks it attached, whether it runs, its events and losses, " +
      "and what its BPF programs cost in the kernel (run time from the kernel's BPF statistics). Rates over the last 2 s."),
    body);
  let prev = null, timer = null, stopped = false;

  const refresh = async () => {
    try {
      const now = { t: performance.now() / 1000, probes: await getJSON("/api/v1/probes") };
      const before = new Map((prev ? prev.probes : []).map((p) => [p.probe, p]));
      const dt = prev ? now.t - prev.t : 0;
      const per = (p, f) => {
        const b = before.get(p.probe);
        return b && dt > 0 ? Math.max(0, (f(p) - f(b)) / dt) : undefined;
      };
      const rows = now.probes.map((p) => ({
        ...p,
        eventsRate: per(p, (x) => x.events || 0),
        lostRate: per(p, lost),
        cpu: per(p, (x) => (x.run_time_ns || 0) / 1e9),
        nsPerRun: (() => {
          const b = before.get(p.probe);
          const runs = b ? p.runs - b.runs : 0;
          return runs > 0 ? (p.run_time_ns - b.run_time_ns) / runs : undefined;
        })(),
      }));
      rows.sort((a, b) => (b.cpu || 0) - (a.cpu || 0) || a.probe.localeCompare(b.probe));
      body.replaceChildren(table([
        { label: "probe", value: (p) => h("strong", {}, p.probe) },
        { label: "status", value: (p) => h("span", { class: p.status === "running" ? "up" : "down", title: p.reason || "" },
          p.status) },
        { label: "hooks", cls: "wrap", value: (p) => p.status !== "unavailable"
          ? h("div", { class: "mono" }, (p.hooks || []).map((x) => h("div", {}, `${x.program} → ${x.hook}${x.attached ? "" : " FAILED: " + x.error}`)))
          : h("span", { class: "note" }, p.reason) },
        { label: "events", num: true, value: (p) => num(p.events) },
        { label: "events/s", num: true, value: (p) => (p.eventsRate === undefined ? "–" : rate(p.eventsRate)) },
        { label: "lost", num: true, value: (p) => h("span", { class: lost(p) ? "down" : "" }, num(lost(p))) },
        { label: "sampled out", num: true, value: (p) => num(p.sampled_out || 0) },
        { label: "runs", num: true, value: (p) => num(p.runs || 0) },
        { label: "ns/run", num: true, value: (p) => (p.nsPerRun === undefined ? "–" : Math.round(p.nsPerRun)) },
        { label: "CPU", num: true, value: (p) => (p.cpu === undefined ? "–" : percent(p.cpu)) },
      ], rows));
      prev = now;
    } catch (e) {
      body.replaceChildren(empty(e.message));
    }
    if (!stopped) timer = setTimeout(refresh, 2000);
  };
  refresh();
  return () => { stopped = true; clearTimeout(timer); };
}
