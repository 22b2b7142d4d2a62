// Small DOM and formatting helpers shared by the views.

// h("div", {class: "x", onclick: f}, "text", child...)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "style" && typeof v === "object")
      for (const [p, pv] of Object.entries(v)) {
        if (p.startsWith("--")) el.style.setProperty(p, pv);  // custom properties need setProperty
        else el.style[p] = pv;
      }
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// A table: columns [{label, num?, value(row) -> text|Node}], rows; onRow(row, tr) on click.
export function table(columns, rows, onRow) {
  return h("table", {},
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", { class: c.num ? "num" : c.cls }, c.label)))),
    h("tbody", {}, rows.map((r) => {
      const tr = h("tr", {}, columns.map((c) => h("td", { class: c.num ? "num" : c.cls }, c.value(r))));
      if (onRow) tr.addEventListener("click", () => onRow(r, tr));
      return tr;
    })));
}

export function panel(title, ...children) {
  return h("section", { class: "panel" }, h("h2", {}, title), ...children);
}

export function tile(label, value, id) {
  return h("div", { class: "tile" }, h("div", { class: "value", id }, value), h("div", { class: "label" }, label));
}

export function empty(text) {
  return h("div", { class: "empty" }, text);
}

const SI = ["", "k", "M", "G", "T"];
export function num(n, digits = 1) {
  if (n === undefined || n === null || Number.isNaN(n)) return "–";
  let i = 0;
  while (Math.abs(n) >= 1000 && i < SI.length - 1) { n /= 1000; i++; }
  return (i === 0 && Number.isInteger(n) ? String(n) : n.toFixed(digits)) + SI[i];
}

export function rate(n) {
  return num(n) + "/s";
}

export function bytes(n) {
  if (n === undefined || Number.isNaN(n)) return "–";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (Math.abs(n) >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return (i === 0 ? String(Math.round(n)) : n.toFixed(1)) + " " + units[i];
}

export function seconds(s) {
  if (s === undefined || Number.isNaN(s)) return "–";
  if (s >= 1) return s.toFixed(2) + " s";
  if (s >= 1e-3) return (s * 1e3).toFixed(2) + " ms";
  if (s >= 1e-6) return (s * 1e6).toFixed(1) + " µs";
  return Math.round(s * 1e9) + " ns";
}

export function percent(x) {
  return (x * 100).toFixed(x < 0.01 ? 2 : 1) + "%";
}

// ns since the epoch -> local time of day with milliseconds.
export function clock(ns) {
  const d = new Date(Number(BigInt(ns) / 1000000n));
  return d.toLocaleTimeString([], { hour12: false }) + "." + String(d.getMilliseconds()).padStart(3, "0");
}

export function dateTime(ns) {
  const d = new Date(Number(BigInt(ns) / 1000000n));
  return d.toLocaleDateString() + " " + clock(ns);
}

// The view's filters live in the URL, so a link opens the same view.
export function params() {
  return new URLSearchParams(location.search);
}

export function setParams(values) {
  const p = params();
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === null || v === "") p.delete(k);
    else p.set(k, v);
  }
  const q = p.toString();
  history.replaceState(null, "", location.pathname + (q ? "?" + q : ""));
}

// An input bound to a URL parameter: onChange runs after the URL is updated.
export function paramInput(name, attrs, onChange) {
  const input = h("input", { ...attrs, name, value: params().get(name) || "" });
  input.addEventListener("change", () => {
    setParams({ [name]: input.value.trim() });
    onChange();
  });
  return input;
}

export function paramSelect(name, options, onChange, label) {
  const current = params().get(name) || "";
  const select = h("select", { name, "aria-label": label || name },
    options.map(([value, text]) => h("option", { value, selected: value === current }, text)));
  select.addEventListener("change", () => {
    setParams({ [name]: select.value });
    onChange();
  });
  return select;
}

export function labeled(text, control) {
  return h("label", {}, text, control);
}
