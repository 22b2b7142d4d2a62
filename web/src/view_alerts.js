// /alerts: alerts by rule and priority, each with its triggering event, the process
// ancestry the agent saw, and the action taken. From the store, refreshed every 3 s.
import { getJSON } from "./api.js";
import { h, dateTime, params, paramInput, paramSelect, labeled, table, panel, empty, num } from "./dom.js";
import { summary } from "./event_summary.js";

const PRIORITIES = ["Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"];

function actionText(a) {
  if (!a.action || a.action === "alert") return "alerted";
  return a.action + (a.in_kernel ? ` (in the kernel at ${a.hook}, ${a.stage})` : a.action === "exempt" ? "" : " (from user space)");
}

function ancestry(a) {
  if (!a.ancestry || !a.ancestry.length) return h("div", { class: "note" }, "no ancestry (the process was gone)");
  return h("ul", { class: "ancestry", "aria-label": "process ancestry" },
    [...a.ancestry].reverse().map((p, i) => h("li", { style: { "--depth": i } },
      `${i ? "└ " : ""}${p.pid} ${p.comm}`, h("span", { class: "note" }, `  ${p.exe}${p.cmdline ? "  ·  " + p.cmdline : ""}`))));
}

function card(a) {
  return h("article", { class: "alert-card", "data-rule": a.rule },
    h("div", { class: "head" },
      h("span", { class: "prio prio-" + a.priority }, a.priority),
      h("strong", {}, a.rule),
      h("span", { class: "note" }, dateTime(a.ts)),
      h("span", {}, `${a.comm} (${a.pid})`),
      a.container_id ? h("span", { class: "mono" }, "container " + (a.container_name || a.container_id.slice(0, 12))) : null,
      h("span", { class: "action" }, "action: " + actionText(a))),
    h("div", { class: "output" }, a.output),
    a.workload ? h("div", { class: "note" }, `workload ${a.workload}: ${a.anomaly} ${a.new_item || ""}`) : null,
    ancestry(a),
    a.event ? h("details", {},
      h("summary", {}, `triggering event: ${a.event.type} · ${summary(a.event)}`),
      h("pre", { class: "json" }, JSON.stringify(a.event, null, 2))) : null);
}

export default function alertsView(root) {
  const byRule = h("div");
  const list = h("div", { id: "alert-list" }, empty("loading…"));
  let timer = null, stopped = false;

  const refresh = async () => {
    clearTimeout(timer);
    const p = params(), q = new URLSearchParams({ limit: "500", since: p.get("since") || "24h" });
    for (const k of ["rule", "priority", "comm", "container"]) if (p.get(k)) q.set(k, p.get(k));
    try {
      const alerts = await getJSON("/api/v1/alerts?" + q.toString());
      const counts = new Map();
      for (const a of alerts) {
        const k = a.rule + "\u0000" + a.priority;
        counts.set(k, { rule: a.rule, priority: a.priority, n: (counts.get(k)?.n || 0) + 1, last: a.ts });
      }
      const ranked = [...counts.values()].sort((x, y) =>
        PRIORITIES.indexOf(x.priority) - PRIORITIES.indexOf(y.priority) || y.n - x.n);
      byRule.replaceChildren(ranked.length ? table([
        { label: "priority", value: (r) => h("span", { class: "prio prio-" + r.priority }, r.priority) },
        { label: "rule", value: (r) => r.rule },
        { label: "alerts", num: true, value: (r) => num(r.n) },
        { label: "latest", value: (r) => dateTime(r.last) },
      ], ranked, (r) => { rule.value = r.rule; rule.dispatchEvent(new Event("change")); }) : empty("no alerts in this range"));
      // The API answers oldest first: the newest 200, newest first.
      list.replaceChildren(...(alerts.length ? alerts.slice(-200).reverse().map(card) : [empty("no alerts in this range")]));
    } catch (e) {
      list.replaceChildren(empty(e.message));
    }
    if (!stopped) timer = setTimeout(refresh, 3000);
  };
  const rule = paramInput("rule", { size: 30, "aria-label": "rule" }, refresh);
  root.append(h("h1", {}, "Alerts"),
    h("div", { class: "toolbar" },
      labeled("since", paramInput("since", { size: 8, placeholder: "24h", "aria-label": "since" }, refresh)),
      labeled("priority", paramSelect("priority", [["", "all"], ...PRIORITIES.map((p) => [p, p])], refresh, "priority")),
      labeled("rule", rule),
      labeled("comm", paramInput("comm", { size: 12, "aria-label": "comm" }, refresh))),
    h("div", { class: "grid" },
      h("section", { class: "panel wide" }, h("h2", {}, "By rule and priority (click to filter)"), byRule),
      h("section", { class: "panel wide" }, h("h2", {}, "Alerts, newest first"), list)));
  refresh();
  return () => { stopped = true; clearTimeout(timer); };
}
