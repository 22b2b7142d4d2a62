// /performance: run-queue and block I/O latency heatmaps, page faults and OOM kills.
import { getJSON } from "./api.js";
import { h, num, rate, seconds, bytes, dateTime, table, panel, tile, empty } from "./dom.js";
import { history } from "./metrics.js";
import { Heatmap, TimeChart, quantile } from "./charts.js";

export default function performanceView(root) {
  const tiles = h("div", { class: "tiles" });
  const runqBox = h("div"), runqNote = h("div", { class: "note" });
  const bioBox = h("div"), bioNote = h("div", { class: "note" });
  const faultsBox = h("div");
  const ooms = h("div", {}, empty("loading…"));
  root.append(h("h1", {}, "Performance"), tiles,
    h("div", { class: "grid" },
      h("section", { class: "panel wide" }, h("h2", {}, "Run-queue latency (runnable to running)"), runqBox, runqNote),
      h("section", { class: "panel wide" }, h("h2", {}, "Block I/O latency (issue to completion)"), bioBox, bioNote),
      panel("Page faults per second", faultsBox),
      panel("OOM kills", ooms)));
  const runq = new Heatmap(runqBox, { label: "run-queue latency" });
  const bio = new Heatmap(bioBox, { label: "block I/O latency" });
  const faults = new TimeChart(faultsBox, { height: 180, format: (v) => num(v) });
  const note = (cols) => `in this window: p50 ≤ ${seconds(quantile(cols, 0.5))}, p99 ≤ ${seconds(quantile(cols, 0.99))}`;

  const draw = (m) => {
    const up = m.values("kscope_probe_up", "probe");
    const off = (p) => (up.get(p) ? "" : ` (the ${p} probe is off)`);
    tiles.replaceChildren(
      tile("run-queue waits/s", rate(m.rate("kscope_runqueue_latency_seconds_count"))),
      tile("block I/Os/s", rate(m.rate("kscope_block_io_latency_seconds_count"))),
      tile("block I/O bytes/s", bytes(m.rate("kscope_block_io_bytes_total")) + "/s"),
      tile("major faults/s", rate(m.rate("kscope_page_faults_total", (l) => l.type === "major"))),
      tile("OOM kills (total)", num(m.value("kscope_oom_kills_total"))));
    const rq = m.histogramColumns("kscope_runqueue_latency_seconds");
    runq.update(rq);
    runqNote.textContent = note(rq) + off("runqlat");
    const b = m.histogramColumns("kscope_block_io_latency_seconds");
    bio.update(b);
    bioNote.textContent = note(b) + off("biolat");
    faults.update(m.rateSeries("kscope_page_faults_total", "type"));
  };
  const unsub = history.subscribe(draw);

  let timer = null, stopped = false;
  const loadOoms = async () => {
    try {
      const list = await getJSON("/api/v1/events?type=oom_kill&since=7d&limit=50");
      ooms.replaceChildren(list.length ? table([
        { label: "time", value: (e) => dateTime(e.ts) },
        { label: "killed", value: (e) => `${e.pid} ${e.comm}` },
        { label: "triggered by", value: (e) => `${e.trigger_pid} ${e.trigger_comm}` },
        { label: "constraint", value: (e) => e.constraint },
        { label: "rss", num: true, value: (e) => bytes(e.rss_bytes) },
      ], list) : empty("no OOM kill in the last 7 days"));
    } catch (e) {
      ooms.replaceChildren(empty(e.message));
    }
    if (!stopped) timer = setTimeout(loadOoms, 10000);
  };
  loadOoms();
  return () => { stopped = true; clearTimeout(timer); unsub(); runq.destroy(); bio.destroy(); faults.destroy(); };
}
