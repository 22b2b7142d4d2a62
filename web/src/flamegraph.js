// A flame graph in the DOM: one div per frame, its function name as text (searchable,
// readable by tests and screen readers), the root on top. Click zooms into a frame; a
// search highlights matches and gives their share; a differential graph colours each frame
// by how its share changed between two profiles.
import { h, num, percent } from "./dom.js";

const ROW = 20;          // px per stack level
const MIN_WIDTH = 0.002; // frames narrower than this share of the view are not drawn

function node(name) {
  return { name, a: 0, b: 0, children: new Map() };
}

// Stacks ({comm, count, frames}) -> a tree counting samples in b (and in a, for a diff's
// baseline). The process name is the first level, as in folded stacks.
export function buildTree(stacks, baseline = []) {
  const root = node("all");
  const add = (list, key) => {
    for (const s of list) {
      let n = root;
      n[key] += s.count;
      for (const f of [s.comm, ...s.frames]) {
        let c = n.children.get(f);
        if (!c) n.children.set(f, (c = node(f)));
        c[key] += s.count;
        n = c;
      }
    }
  };
  add(stacks, "b");
  add(baseline, "a");
  return root;
}

function hash(s) {
  let x = 0;
  for (let i = 0; i < s.length; i++) x = (x * 31 + s.charCodeAt(i)) | 0;
  return Math.abs(x);
}

function color(n, diff, totals) {
  if (diff) {
    const before = totals.a ? n.a / totals.a : 0, after = totals.b ? n.b / totals.b : 0;
    const change = after - before;
    const strength = Math.min(1, Math.abs(change) / 0.05);  // 5 points of the total: full colour
    if (Math.abs(change) < 0.0005) return "hsl(0, 0%, 82%)";
    return change > 0 ? `hsl(0, 80%, ${88 - 30 * strength}%)` : `hsl(215, 80%, ${88 - 30 * strength}%)`;
  }
  if (n.name.endsWith(" [k]")) return `hsl(${20 + (hash(n.name) % 15)}, 85%, 62%)`;
  return `hsl(${(hash(n.name) % 50) + 10}, 80%, ${58 + (hash(n.name) % 12)}%)`;
}

function matcher(search) {
  if (!search) return null;
  const m = search.match(/^\/(.+)\/$/);
  if (m) {
    try { const re = new RegExp(m[1], "i"); return (s) => re.test(s); } catch { return null; }
  }
  const needle = search.toLowerCase();
  return (s) => s.toLowerCase().includes(needle);
}

export class FlameGraph {
  // onFocus(path) when a click zooms (path: frame names from the root, [] for all).
  constructor(container, onFocus) {
    this.el = h("div", { class: "flame", role: "tree", "aria-label": "flame graph" });
    this.info = h("div", { class: "note", id: "flame-info" });
    container.append(this.info, this.el);
    this.onFocus = onFocus;
  }

  // tree from buildTree; focus: names from the root; diff: colour by change in share.
  render(tree, { focus = [], search = "", diff = false } = {}) {
    const totals = { a: tree.a, b: tree.b };
    const chain = [tree];
    for (const name of focus) {
      const c = chain[chain.length - 1].children.get(name);
      if (!c) break;
      chain.push(c);
    }
    const top = chain[chain.length - 1];
    const match = matcher(search);
    const frames = [];
    let matched = 0;
    // Ancestors of the focus span the width (their own share in the title).
    chain.forEach((n, depth) => frames.push({ n, depth, x: 0, w: 1, path: chain.slice(1, depth + 1).map((c) => c.name), ancestor: depth < chain.length - 1 }));
    // Every frame counts towards the search's share; only those wide enough are drawn.
    const walk = (n, depth, x, path, inMatch, visible) => {
      const isMatch = match ? match(n.name) : false;
      if (isMatch && !inMatch) matched += n.b;
      let cx = x;
      for (const c of [...n.children.values()].sort((p, q) => p.name.localeCompare(q.name))) {
        const w = top.b ? c.b / top.b : 0;
        const show = visible && w >= MIN_WIDTH;
        const p = show ? [...path, c.name] : path;
        if (show) frames.push({ n: c, depth: depth + 1, x: cx, w, path: p, match: match && match(c.name) });
        if (show || match) walk(c, depth + 1, cx, p, inMatch || isMatch, show);
        cx += w;
      }
    };
    walk(top, chain.length - 1, 0, chain.slice(1).map((c) => c.name), false, true);
    if (match && match(top.name)) frames[chain.length - 1].match = true;

    const depth = frames.reduce((d, f) => Math.max(d, f.depth), 0);
    this.el.style.height = (depth + 1) * ROW + "px";
    const nodes = frames.map((f) => {
      const share = tree.b ? f.n.b / tree.b : 0;
      let title = `${f.n.name}\n${num(f.n.b)} samples, ${percent(share)} of all`;
      if (diff) title += `\nbefore: ${percent(totals.a ? f.n.a / totals.a : 0)} · after: ${percent(share)}`;
      const div = h("div", {
        class: "frame" + (f.match ? " match" : "") + (f.ancestor ? " dim" : ""),
        role: "treeitem", title, "data-name": f.n.name,
        style: { left: f.x * 100 + "%", width: `calc(${f.w * 100}% - 1px)`, top: f.depth * ROW + "px", background: color(f.n, diff, totals) },
      }, f.n.name);
      div.addEventListener("click", () => this.onFocus(f.path));
      return div;
    });
    this.el.replaceChildren(...nodes);
    const parts = [`${num(top.b)} samples${focus.length ? ` in ${top.name} (${percent(tree.b ? top.b / tree.b : 0)} of all; click a frame above to zoom out)` : ""}`];
    if (diff) parts.push(`baseline: ${num(totals.a)} samples · red grew, blue shrank (share of all samples)`);
    if (match) parts.push(`search matched ${percent(top.b ? matched / top.b : 0)} (${num(matched)} samples)`);
    this.info.textContent = parts.join(" · ");
    this.matchedShare = top.b ? matched / top.b : 0;
  }
}
