// The agent's /metrics (Prometheus text), polled while the page is open: rates and
// histogram heatmaps come from the differences between polls. One history for every view,
// so switching views keeps it.
import { getText } from "./api.js";

// "name{a="x",b="y"} 12.5" lines -> [{name, labels, value}].
export function parsePrometheus(text) {
  const out = [];
  for (const line of text.split("\n")) {
    if (!line || line[0] === "#") continue;
    let i = 0;
    while (i < line.length && line[i] !== "{" && line[i] !== " ") i++;
    const name = line.slice(0, i);
    const labels = {};
    if (line[i] === "{") {
      i++;
      while (line[i] !== "}" && i < line.length) {
        const eq = line.indexOf("=", i);
        const key = line.slice(i, eq).trim();
        let j = eq + 2, value = "";
        for (; j < line.length && line[j] !== '"'; j++) {
          if (line[j] === "\\") {
            j++;
            value += line[j] === "n" ? "\n" : line[j];
          } else value += line[j];
        }
        labels[key] = value;
        i = j + 1;
        if (line[i] === ",") i++;
      }
      i++;
    }
    const value = parseFloat(line.slice(i).trim().split(" ")[0]);
    out.push({ name, labels, value });
  }
  return out;
}

export class MetricsHistory {
  constructor(intervalMs = 2000, keep = 150) {
    this.intervalMs = intervalMs;
    this.keep = keep;
    this.snapshots = [];  // {t (s), samples}
    this.listeners = new Set();
    this.error = null;
    this.timer = null;
  }

  start() {
    if (this.timer) return;
    const tick = async () => {
      try {
        const samples = parsePrometheus(await getText("/metrics"));
        this.snapshots.push({ t: Date.now() / 1000, samples });
        if (this.snapshots.length > this.keep) this.snapshots.shift();
        this.error = null;
      } catch (e) {
        this.error = e;
      }
      for (const f of this.listeners) f(this);
      this.timer = setTimeout(tick, this.intervalMs);
    };
    tick();
  }

  // f(history) after every poll (and now, when there is one); returns the unsubscribe.
  subscribe(f) {
    this.listeners.add(f);
    if (this.snapshots.length) f(this);
    return () => this.listeners.delete(f);
  }

  latest() {
    return this.snapshots[this.snapshots.length - 1];
  }

  // Sum of the latest values of name, grouped by a label ("" groups all), filtered.
  values(name, by = "", filter = () => true) {
    const s = this.latest();
    const out = new Map();
    if (!s) return out;
    for (const x of s.samples)
      if (x.name === name && filter(x.labels)) {
        const k = by ? x.labels[by] ?? "" : "";
        out.set(k, (out.get(k) || 0) + x.value);
      }
    return out;
  }

  value(name, filter) {
    return this.values(name, "", filter).get("") || 0;
  }

  // Per second between snapshots a and b (indexes), grouped by label.
  ratesBetween(a, b, name, by = "", filter = () => true) {
    const out = new Map();
    const sa = this.snapshots[a], sb = this.snapshots[b];
    if (!sa || !sb || sb.t <= sa.t) return out;
    const before = new Map();
    for (const x of sa.samples)
      if (x.name === name && filter(x.labels)) before.set(JSON.stringify(x.labels), x.value);
    for (const x of sb.samples) {
      if (x.name !== name || !filter(x.labels)) continue;
      const prev = before.get(JSON.stringify(x.labels));
      const d = prev === undefined || x.value < prev ? 0 : x.value - prev;  // new series, or reset
      const k = by ? x.labels[by] ?? "" : "";
      out.set(k, (out.get(k) || 0) + d / (sb.t - sa.t));
    }
    return out;
  }

  // The latest rates (over the last poll interval).
  rates(name, by = "", filter) {
    const n = this.snapshots.length;
    return this.ratesBetween(n - 2, n - 1, name, by, filter);
  }

  rate(name, filter) {
    return this.rates(name, "", filter).get("") || 0;
  }

  // For charts: [times, ...one array per group] of rates, groups sorted by their total.
  rateSeries(name, by = "", filter, maxGroups = 8) {
    const times = [], perGroup = new Map();
    for (let i = 1; i < this.snapshots.length; i++) {
      times.push(this.snapshots[i].t);
      const r = this.ratesBetween(i - 1, i, name, by, filter);
      for (const [k, v] of r) {
        if (!perGroup.has(k)) perGroup.set(k, new Array(times.length - 1).fill(0));
        perGroup.get(k).push(v);
      }
      for (const arr of perGroup.values()) if (arr.length < times.length) arr.push(0);
    }
    const groups = [...perGroup.entries()]
      .sort((a, b) => b[1].reduce((s, v) => s + v, 0) - a[1].reduce((s, v) => s + v, 0))
      .slice(0, maxGroups);
    return { times, groups: groups.map(([k]) => k), data: [times, ...groups.map(([, v]) => v)] };
  }

  // A histogram's buckets per poll interval: {bounds (le, seconds), columns [{t, counts}]}
  // with counts per bucket (not cumulative), summed over the series filter keeps.
  histogramColumns(name, filter = () => true) {
    const bucket = name + "_bucket";
    const cumulative = (s) => {
      const byLe = new Map();
      for (const x of s.samples)
        if (x.name === bucket && filter(x.labels)) {
          const le = x.labels.le === "+Inf" ? Infinity : parseFloat(x.labels.le);
          byLe.set(le, (byLe.get(le) || 0) + x.value);
        }
      return byLe;
    };
    const columns = [];
    let bounds = [], prev = null;
    for (const s of this.snapshots) {
      const cur = cumulative(s);
      if (cur.size) bounds = [...cur.keys()].sort((a, b) => a - b);
      if (prev && cur.size) {
        const counts = [];
        let below = 0;
        for (const le of bounds) {
          const d = Math.max(0, (cur.get(le) || 0) - (prev.get(le) || 0));
          counts.push(Math.max(0, d - below));
          below = Math.max(below, d);
        }
        columns.push({ t: s.t, counts });
      }
      prev = cur;
    }
    return { bounds, columns };
  }
}

export const history = new MetricsHistory();
