// /profile: the continuous profiler's flame graph for a time range, process or container;
// click to zoom, search, and a differential view against a second range. Everything in
// the URL, so a link opens the same graph.
import { h, params, setParams, paramInput, labeled, empty } from "./dom.js";
import { loadStacks } from "./profile_data.js";
import { buildTree, FlameGraph } from "./flamegraph.js";

const FOCUS_SEP = "\u001f";

export default function profileView(root) {
  const box = h("div", { class: "panel wide" });
  const status = h("div", { class: "note", id: "profile-status" });
  let tree = null, diff = false;

  const focus = () => (params().get("focus") ? params().get("focus").split(FOCUS_SEP) : []);
  const graph = new FlameGraph(box, (path) => {
    setParams({ focus: path.join(FOCUS_SEP) });
    draw();
  });
  const draw = () => {
    if (tree) graph.render(tree, { focus: focus(), search: params().get("search") || "", diff });
  };

  const load = async () => {
    const p = params();
    const query = (since, until) => ({ since, until, pid: p.get("pid"), comm: p.get("comm"), container: p.get("container") });
    diff = Boolean(p.get("base_since"));
    status.textContent = "loading…";
    try {
      const [after, before] = await Promise.all([
        loadStacks(query(p.get("since") || "15m", p.get("until"))),
        diff ? loadStacks(query(p.get("base_since"), p.get("base_until"))) : Promise.resolve([]),
      ]);
      tree = buildTree(after, before);
      status.textContent = tree.b ? "" : "no samples in this range (is profiling on, and did anything run?)";
      draw();
    } catch (e) {
      tree = null;
      status.textContent = e.message;
      graph.el.replaceChildren(empty(e.message));
    }
  };
  const reload = () => { setParams({ focus: "" }); load(); };

  const search = paramInput("search", { size: 22, placeholder: "function or /regex/", "aria-label": "search" }, draw);
  search.addEventListener("input", () => { setParams({ search: search.value.trim() }); draw(); });
  const resetZoom = h("button", { type: "button", id: "reset-zoom" }, "Reset zoom");
  resetZoom.addEventListener("click", () => { setParams({ focus: "" }); draw(); });
  const refresh = h("button", { type: "button" }, "Refresh");
  refresh.addEventListener("click", load);

  root.append(h("h1", {}, "Profile"),
    h("div", { class: "toolbar" },
      labeled("since", paramInput("since", { size: 8, placeholder: "15m", "aria-label": "since" }, reload)),
      labeled("until", paramInput("until", { size: 8, placeholder: "now", "aria-label": "until" }, reload)),
      labeled("pid", paramInput("pid", { size: 7, "aria-label": "pid" }, reload)),
      labeled("comm", paramInput("comm", { size: 12, "aria-label": "comm" }, reload)),
      labeled("container", paramInput("container", { size: 12, "aria-label": "container" }, reload)),
      refresh),
    h("div", { class: "toolbar" },
      labeled("search", search), resetZoom,
      h("span", { class: "note" }, "compare with (baseline):"),
      labeled("since", paramInput("base_since", { size: 8, placeholder: "e.g. 2h", "aria-label": "baseline since" }, reload)),
      labeled("until", paramInput("base_until", { size: 8, placeholder: "e.g. 1h", "aria-label": "baseline until" }, reload))),
    status, box);
  load();
  return () => {};
}
