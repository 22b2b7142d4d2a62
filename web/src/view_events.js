// /events: the live stream (server-sent events, thinned by the agent to what a page can
// show), pause, filters kept in the URL, history from the store for a time range, and an
// event's full JSON on click.
import { getJSON, stream } from "./api.js";
import { h, clock, params, setParams, paramInput, paramSelect, labeled, rate } from "./dom.js";
import { summary, EVENT_TYPES } from "./event_summary.js";

const MAX_ROWS = 1000;
const MAX_RATE = 200;  // events a second of each type the agent sends this page; the rest are counted
const FILTERS = ["type", "pid", "comm", "container", "q"];

function matches(e, p) {
  if (p.get("type") && e.type !== p.get("type")) return false;
  if (p.get("pid") && String(e.pid) !== p.get("pid")) return false;
  if (p.get("comm") && e.comm !== p.get("comm")) return false;
  if (p.get("container") && e.container_id !== p.get("container")) return false;
  if (p.get("q") && !e._raw.includes(p.get("q"))) return false;
  return true;
}

function filterQuery() {
  const p = params(), q = new URLSearchParams();
  for (const k of FILTERS) if (p.get(k)) q.set(k, p.get(k));
  return q;
}

export default function eventsView(root) {
  let rows = [];          // newest first, as shown
  let pending = [];       // arrived since the last draw
  let paused = false, arrived = 0, thinnedRate = 0, selected = null;
  let controller = null;
  const tbody = h("tbody");
  const detail = h("pre", { class: "json", id: "event-json" }, "Click an event to see all its fields.");
  const info = h("div", { class: "note", id: "events-info" });
  const thinned = h("div", { class: "banner", id: "events-thinned", hidden: true });
  const pauseButton = h("button", { type: "button", id: "pause" }, "Pause");
  const since = paramInput("since", { placeholder: "since: 15m or ns", size: 12, "aria-label": "since" }, () => reload());
  const until = paramInput("until", { placeholder: "until (now)", size: 12, "aria-label": "until" }, () => reload());

  const row = (e) => {
    const tr = h("tr", { "data-type": e.type },
      h("td", { class: "mono" }, clock(e.ts)), h("td", {}, e.type), h("td", { class: "num" }, e.pid),
      h("td", {}, e.comm), h("td", { class: "mono" }, (e.container_id || "").slice(0, 12)),
      h("td", { class: "wrap" }, summary(e)));
    tr.addEventListener("click", () => {
      if (selected) selected.classList.remove("selected");
      selected = tr;
      tr.classList.add("selected");
      detail.textContent = JSON.stringify(JSON.parse(e._raw), null, 2);
    });
    e._tr = tr;
    return tr;
  };

  const draw = () => {
    if (pending.length && !paused) {
      const fresh = pending.reverse();
      pending = [];
      for (const e of fresh) tbody.prepend(row(e));
      rows = fresh.concat(rows);
      for (const e of rows.splice(MAX_ROWS)) e._tr.remove();
    }
    const live = !params().get("since");
    info.textContent = live
      ? `${paused ? "paused · " : ""}${rate(arrived)} arriving · ${rows.length} shown (the newest ${MAX_ROWS} are kept)`
      : `${rows.length} stored events from the history`;
    thinned.hidden = !live || thinnedRate === 0;
    thinned.textContent = `Thinned for display: about ${rate(thinnedRate)} more matched and are not shown ` +
      `(this page asks for at most ${MAX_RATE}/s of each type; the store and exporters get every event).`;
  };

  const replaceRows = (list) => {
    rows = list;
    pending = [];
    tbody.replaceChildren(...rows.map(row));
  };

  // Arrival rate per second; the thinning rate from the agent's running count, between
  // two of its messages (at most one a second, only while it grows).
  let counted = 0, lastThinned = null;
  const onThinned = (total) => {
    const now = performance.now();
    if (lastThinned && now > lastThinned.t) thinnedRate = Math.max(0, total - lastThinned.total) / ((now - lastThinned.t) / 1000);
    lastThinned = { t: now, total };
  };
  const meter = setInterval(() => {
    arrived = counted;
    counted = 0;
    if (lastThinned && performance.now() - lastThinned.t > 2500) thinnedRate = 0;  // no message: nothing thinned
    draw();
  }, 1000);
  const drawer = setInterval(draw, 250);

  const connect = () => {
    if (controller) controller.abort();
    controller = new AbortController();
    const q = filterQuery();
    q.set("max_rate", String(MAX_RATE));
    lastThinned = null;
    thinnedRate = 0;
    const signal = controller.signal;
    stream("/api/v1/stream?" + q.toString(), (type, data) => {
      if (type === "thinned") { onThinned(JSON.parse(data).thinned_total); return; }
      if (type === "end") return;
      counted++;
      if (paused) return;
      const e = JSON.parse(data);
      e._raw = data;
      pending.push(e);
      if (pending.length > MAX_ROWS) pending.splice(0, pending.length - MAX_ROWS);
    }, signal).catch((e) => { if (!signal.aborted) info.textContent = "stream: " + e.message; })
      .finally(() => { if (!signal.aborted) setTimeout(() => !signal.aborted && connect(), 2000); });
  };

  const loadHistory = async () => {
    if (controller) controller.abort();
    const q = filterQuery();
    q.set("since", params().get("since"));
    if (params().get("until")) q.set("until", params().get("until"));
    q.set("limit", String(MAX_ROWS));
    try {
      const list = await getJSON("/api/v1/events?" + q.toString());
      replaceRows(list.reverse().map((e) => ({ ...e, _raw: JSON.stringify(e) })));
    } catch (e) {
      replaceRows([]);
      info.textContent = e.message;
    }
    draw();
  };

  // Filters narrow what is shown now and what the stream sends next.
  const reload = () => {
    if (params().get("since")) { loadHistory(); return; }
    const p = params();
    replaceRows(rows.filter((e) => matches(e, p)));
    connect();
    draw();
  };

  pauseButton.addEventListener("click", () => {
    paused = !paused;
    pauseButton.textContent = paused ? "Resume" : "Pause";
    pauseButton.classList.toggle("on", paused);
    draw();
  });
  const liveButton = h("button", { type: "button", id: "live" }, "Live");
  liveButton.addEventListener("click", () => {
    since.value = until.value = "";
    setParams({ since: "", until: "" });
    replaceRows([]);
    reload();
  });

  root.append(h("h1", {}, "Events"),
    h("div", { class: "toolbar" },
      labeled("type", paramSelect("type", [["", "all"], ...EVENT_TYPES.map((t) => [t, t])], reload, "type")),
      labeled("pid", paramInput("pid", { size: 7, inputmode: "numeric", "aria-label": "pid" }, reload)),
      labeled("comm", paramInput("comm", { size: 14, "aria-label": "comm" }, reload)),
      labeled("container", paramInput("container", { size: 14, "aria-label": "container" }, reload)),
      labeled("text", paramInput("q", { size: 18, "aria-label": "text" }, reload)),
      pauseButton,
      h("span", { class: "note" }, "history:"), since, until, liveButton),
    h("div", { class: "toolbar" }, info, thinned),
    h("div", { class: "split" },
      h("div", { class: "panel scroll", style: { maxHeight: "70vh" } },
        h("table", { id: "events-table" },
          h("thead", {}, h("tr", {}, ["time", "type", "pid", "comm", "container", "details"].map((c) => h("th", {}, c)))),
          tbody)),
      h("div", { class: "panel scroll", style: { maxHeight: "70vh" } }, detail)));
  reload();
  return () => {
    clearInterval(meter);
    clearInterval(drawer);
    if (controller) controller.abort();
  };
}
