// Time-series charts (uPlot) and latency heatmaps (a canvas of histogram columns).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h, seconds } from "./dom.js";

export const PALETTE = ["#1f6feb", "#e5534b", "#57ab5a", "#c69026", "#986ee2", "#39c5cf", "#e0823d", "#b083f0"];

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

// A line chart that follows its container's width; update({times, groups, data}).
export class TimeChart {
  constructor(container, { height = 200, format = (v) => String(v), window = 300 } = {}) {
    this.container = container;
    this.window = window;  // seconds shown
    this.height = height;
    this.format = format;
    this.plot = null;
    this.groups = null;
    this.last = null;
    this.resize = new ResizeObserver(() => this.plot && this.plot.setSize(this.size()));
    this.resize.observe(container);
    this.onTheme = () => { this.groups = null; if (this.last) this.update(this.last); };
    addEventListener("themechange", this.onTheme);
  }

  size() {
    return { width: Math.max(200, this.container.clientWidth), height: this.height };
  }

  update(series) {
    if (series.data[0].length < 2) return;  // one point has no time axis to speak of
    this.last = series;
    const key = series.groups.join("\u0000");
    if (this.plot && key === this.groups) {
      this.plot.setData(series.data);
      return;
    }
    if (this.plot) this.plot.destroy();
    this.groups = key;
    const axis = { stroke: cssVar("--muted"), grid: { stroke: cssVar("--border"), width: 1 }, ticks: { stroke: cssVar("--border") } };
    this.plot = new uPlot({
      ...this.size(),
      // A sliding window of what the page has polled (the agent keeps no history).
      scales: { x: { time: true, range: (u, min, max) => [Math.min(min, max - this.window), max] } },
      axes: [axis, { ...axis, size: 60, values: (u, vals) => vals.map((v) => this.format(v)) }],
      series: [{}, ...series.groups.map((g, i) => ({
        label: g || "all", stroke: PALETTE[i % PALETTE.length], width: 1.5,
        value: (u, v) => (v === null || v === undefined ? "–" : this.format(v)),
      }))],
      legend: { live: true },
    }, series.data, this.container);
  }

  destroy() {
    this.resize.disconnect();
    removeEventListener("themechange", this.onTheme);
    if (this.plot) this.plot.destroy();
  }
}

// Histogram columns over time ({bounds, columns} from MetricsHistory.histogramColumns):
// time on x, latency bucket on y (log2 buckets), colour by count. Hover says what a cell is.
export class Heatmap {
  constructor(container, { label = "latency" } = {}) {
    this.canvas = h("canvas", { class: "heatmap", role: "img", "aria-label": label + " heatmap" });
    this.info = h("div", { class: "heatmap-info" });
    container.append(this.canvas, this.info);
    this.data = { bounds: [], columns: [] };
    this.canvas.addEventListener("mousemove", (ev) => this.hover(ev));
    this.resize = new ResizeObserver(() => this.draw());
    this.resize.observe(this.canvas);
  }

  update(data) {
    this.data = data;
    this.draw();
  }

  // Buckets that ever held a count, with one of margin, so the y axis fits the data.
  rows() {
    const { bounds, columns } = this.data;
    let lo = bounds.length, hi = -1;
    for (const c of columns)
      c.counts.forEach((n, i) => { if (n > 0) { lo = Math.min(lo, i); hi = Math.max(hi, i); } });
    if (hi < 0) return [];
    lo = Math.max(0, lo - 1);
    hi = Math.min(bounds.length - 1, hi + 1);
    const out = [];
    for (let i = lo; i <= hi; i++) out.push(i);
    return out;
  }

  geometry() {
    const rect = this.canvas.getBoundingClientRect();
    return { w: rect.width, h: rect.height, left: 70, bottom: 18 };
  }

  draw() {
    const ctx = this.canvas.getContext("2d");
    const g = this.geometry();
    const dpr = devicePixelRatio || 1;
    this.canvas.width = g.w * dpr;
    this.canvas.height = g.h * dpr;
    ctx.scale(dpr, dpr);
    ctx.clearRect(0, 0, g.w, g.h);
    ctx.font = "11px system-ui";
    ctx.fillStyle = cssVar("--muted");
    const rows = this.rows();
    const { bounds, columns } = this.data;
    if (!rows.length) {
      ctx.fillText(columns.length ? "nothing measured yet in this window" : "collecting: the map fills as the page stays open", 10, 20);
      return;
    }
    const plotW = g.w - g.left, plotH = g.h - g.bottom;
    const cw = plotW / Math.max(columns.length, 30), rh = plotH / rows.length;
    let max = 1;
    for (const c of columns) for (const i of rows) max = Math.max(max, c.counts[i]);
    const accent = cssVar("--accent");
    columns.forEach((c, x) => {
      rows.forEach((bi, y) => {
        const n = c.counts[bi];
        if (!n) return;
        ctx.globalAlpha = 0.15 + 0.85 * (Math.log1p(n) / Math.log1p(max));
        ctx.fillStyle = accent;
        ctx.fillRect(g.left + x * cw, plotH - (y + 1) * rh, Math.max(1, cw - 1), Math.max(1, rh - 1));
      });
    });
    ctx.globalAlpha = 1;
    ctx.fillStyle = cssVar("--muted");
    const step = Math.ceil(rows.length / Math.max(1, Math.floor(plotH / 16)));
    rows.forEach((bi, y) => {
      if (y % step === 0) ctx.fillText("≤ " + seconds(bounds[bi]), 2, plotH - y * rh - 3);
    });
    if (columns.length) {
      ctx.fillText(new Date(columns[0].t * 1000).toLocaleTimeString(), g.left, g.h - 4);
      const last = new Date(columns[columns.length - 1].t * 1000).toLocaleTimeString();
      ctx.fillText(last, g.w - ctx.measureText(last).width - 2, g.h - 4);
    }
    this.layout = { rows, cw, rh, plotH, left: g.left };
  }

  hover(ev) {
    if (!this.layout) return;
    const r = this.canvas.getBoundingClientRect();
    const x = Math.floor((ev.clientX - r.left - this.layout.left) / this.layout.cw);
    const y = Math.floor((this.layout.plotH - (ev.clientY - r.top)) / this.layout.rh);
    const c = this.data.columns[x], bi = this.layout.rows[y];
    if (!c || bi === undefined) { this.info.textContent = ""; return; }
    const lo = bi > 0 ? this.data.bounds[bi - 1] : 0;
    this.info.textContent = `${new Date(c.t * 1000).toLocaleTimeString()}: ${c.counts[bi]} between ${seconds(lo)} and ${seconds(this.data.bounds[bi])}`;
  }

  destroy() {
    this.resize.disconnect();
  }
}

// Quantile q of the counts summed over the columns (an upper bound: the bucket's le).
export function quantile({ bounds, columns }, q) {
  const total = bounds.map((_, i) => columns.reduce((s, c) => s + c.counts[i], 0));
  const n = total.reduce((s, v) => s + v, 0);
  if (!n) return undefined;
  let seen = 0;
  for (let i = 0; i < total.length; i++) {
    seen += total[i];
    if (seen >= q * n) return bounds[i];
  }
  return bounds[bounds.length - 1];
}
