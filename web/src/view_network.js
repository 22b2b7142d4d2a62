// /network: connections, connect latency over time, DNS queries and failures,
// retransmits, drops by reason and top talkers. Metrics from /metrics; the lists from the
// store's recent events.
import { getJSON } from "./api.js";
import { h, num, rate, bytes, seconds, clock, table, panel, tile, empty, params, paramInput, labeled } from "./dom.js";
import { history } from "./metrics.js";
import { Heatmap, TimeChart, quantile } from "./charts.js";

const peer = (e) => `${e.daddr}:${e.dport}`;

export default function networkView(root) {
  const tiles = h("div", { class: "tiles" });
  const heatBox = h("div");
  const dnsHeatBox = h("div");
  const quant = h("div", { class: "note" });
  const retransChart = h("div");
  const drops = h("div");
  const talkers = h("div", {}, empty("loading…"));
  const conns = h("div", { class: "scroll" }, empty("loading…"));
  const dns = h("div", { class: "scroll" }, empty("loading…"));
  root.append(h("h1", {}, "Network"),
    h("div", { class: "toolbar" }, labeled("recent events since", paramInput("since", { size: 6, placeholder: "15m", "aria-label": "since" }, () => loadLists()))),
    tiles,
    h("div", { class: "grid" },
      h("section", { class: "panel wide" }, h("h2", {}, "TCP connect latency (SYN to established)"), heatBox, quant),
      panel("Retransmits and resets per second", retransChart),
      panel("Packet drops by reason", drops),
      panel("DNS latency", dnsHeatBox),
      panel("Top talkers (closed connections, by bytes)", talkers),
      h("section", { class: "panel wide" }, h("h2", {}, "Recent connections"), conns),
      h("section", { class: "panel wide" }, h("h2", {}, "DNS queries and failures"), dns)));
  const heat = new Heatmap(heatBox, { label: "TCP connect latency" });
  const dnsHeat = new Heatmap(dnsHeatBox, { label: "DNS latency" });
  const chart = new TimeChart(retransChart, { height: 160, format: (v) => num(v) });

  const draw = (m) => {
    const failed = m.values("kscope_dns_responses_total", "rcode");
    let dnsFailures = 0;
    for (const [rcode, n] of failed) if (rcode !== "NOERROR") dnsFailures += n;
    tiles.replaceChildren(
      tile("connections opened/s", rate(m.rate("kscope_tcp_connections_opened_total"))),
      tile("accepted/s", rate(m.rate("kscope_tcp_connections_accepted_total"))),
      tile("connects failed (total)", num(m.value("kscope_tcp_connections_failed_total"))),
      tile("retransmits (total)", num(m.value("kscope_tcp_retransmits_total"))),
      tile("DNS queries/s", rate(m.rate("kscope_dns_queries_total"))),
      tile("DNS failures (total)", num(dnsFailures)),
      tile("packets dropped/s", rate(m.rate("kscope_packet_drops_total"))));
    const cols = m.histogramColumns("kscope_tcp_connect_latency_seconds");
    heat.update(cols);
    quant.textContent = `in this window: p50 ≤ ${seconds(quantile(cols, 0.5))}, p99 ≤ ${seconds(quantile(cols, 0.99))}`;
    dnsHeat.update(m.histogramColumns("kscope_dns_latency_seconds"));
    const r = m.rateSeries("kscope_tcp_retransmits_total");
    const s = m.rateSeries("kscope_tcp_resets_total", "direction");
    chart.update({ groups: ["retransmits", ...s.groups.map((g) => "resets " + g)], data: [r.times, r.data[1] || [], ...s.data.slice(1)] });
    const total = m.values("kscope_packet_drops_total", "reason");
    const now = m.rates("kscope_packet_drops_total", "reason");
    const reasons = [...total.entries()].filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).slice(0, 15);
    drops.replaceChildren(reasons.length ? table([
      { label: "reason", value: ([k]) => h("span", { class: "mono" }, k) },
      { label: "total", num: true, value: ([, v]) => num(v) },
      { label: "per second", num: true, value: ([k]) => rate(now.get(k) || 0) },
    ], reasons) : empty("no drops counted"));
  };
  const off = history.subscribe(draw);

  let timer = null, stopped = false;
  const loadLists = async () => {
    clearTimeout(timer);
    const since = params().get("since") || "15m";
    try {
      const [closes, connects, queries] = await Promise.all([
        getJSON(`/api/v1/events?type=tcp_close&since=${encodeURIComponent(since)}&limit=2000`),
        getJSON(`/api/v1/events?type=tcp_connect&since=${encodeURIComponent(since)}&limit=200`),
        getJSON(`/api/v1/events?type=dns_response&since=${encodeURIComponent(since)}&limit=300`),
      ]);
      const by = new Map();
      for (const e of closes) {
        const k = `${e.comm}\u0000${peer(e)}`;
        const t = by.get(k) || { comm: e.comm, peer: peer(e), sent: 0, received: 0, n: 0 };
        t.sent += e.bytes_sent || 0;
        t.received += e.bytes_received || 0;
        t.n++;
        by.set(k, t);
      }
      const top = [...by.values()].sort((a, b) => b.sent + b.received - a.sent - a.received).slice(0, 10);
      talkers.replaceChildren(top.length ? table([
        { label: "command", value: (t) => t.comm },
        { label: "peer", value: (t) => h("span", { class: "mono" }, t.peer) },
        { label: "conns", num: true, value: (t) => t.n },
        { label: "sent", num: true, value: (t) => bytes(t.sent) },
        { label: "received", num: true, value: (t) => bytes(t.received) },
      ], top) : empty("no closed connections in this range"));
      const recent = [...connects, ...closes].sort((a, b) => (BigInt(b.ts) > BigInt(a.ts) ? 1 : -1)).slice(0, 200);
      conns.replaceChildren(recent.length ? table([
        { label: "time", value: (e) => h("span", { class: "mono" }, clock(e.ts)) },
        { label: "event", value: (e) => e.type.replace("tcp_", "") },
        { label: "command", value: (e) => `${e.comm} (${e.pid})` },
        { label: "local", value: (e) => h("span", { class: "mono" }, `${e.saddr}:${e.sport}`) },
        { label: "peer", value: (e) => h("span", { class: "mono" }, peer(e)) },
        { label: "latency / duration", num: true, value: (e) => seconds((e.latency_ns || e.duration_ns || 0) / 1e9) },
        { label: "result", value: (e) => e.error || (e.type === "tcp_close" ? `${bytes(e.bytes_sent)} out, ${bytes(e.bytes_received)} in` : "ok") },
      ], recent) : empty("no connections in this range"));
      const failures = queries.filter((e) => e.rcode !== "NOERROR");
      dns.replaceChildren(queries.length ? h("div", {},
        h("div", { class: "note" }, `${queries.length} answers, ${failures.length} failed (failures first)`),
        table([
          { label: "time", value: (e) => h("span", { class: "mono" }, clock(e.ts)) },
          { label: "command", value: (e) => `${e.comm} (${e.pid})` },
          { label: "name", value: (e) => h("span", { class: "mono" }, e.name) },
          { label: "type", value: (e) => e.query_type },
          { label: "rcode", value: (e) => h("span", { class: e.rcode === "NOERROR" ? "" : "down" }, e.rcode) },
          { label: "latency", num: true, value: (e) => seconds((e.latency_ns || 0) / 1e9) },
          { label: "answers", cls: "wrap", value: (e) => (e.addresses || []).join(" ") },
        ], [...failures, ...queries.filter((e) => e.rcode === "NOERROR")].slice(0, 200)))
        : empty("no DNS answers in this range"));
    } catch (e) {
      talkers.replaceChildren(empty(e.message));
    }
    if (!stopped) timer = setTimeout(loadLists, 5000);
  };
  loadLists();
  return () => { stopped = true; clearTimeout(timer); off(); heat.destroy(); dnsHeat.destroy(); chart.destroy(); };
}
