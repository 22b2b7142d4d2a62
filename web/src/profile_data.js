// The continuous profiler's stacks from /api/v1/profile?format=json (one JSON object per
// line, frames root first), as {pid, comm, count, frames: [names]}.
import { call } from "./api.js";

export async function loadStacks(query) {
  const p = new URLSearchParams({ format: "json" });
  for (const [k, v] of Object.entries(query)) if (v) p.set(k, v);
  const res = await call("/api/v1/profile?" + p.toString());
  if (!res.ok) {
    let message = "HTTP " + res.status;
    try { message = (await res.json()).error; } catch { /* not JSON */ }
    throw new Error(message);
  }
  const text = await res.text();
  const stacks = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const o = JSON.parse(line);
    if (o.type !== "profile_stack") continue;
    stacks.push({
      pid: o.pid, comm: o.comm, count: o.count,
      frames: o.frames.map((f) => (f.kernel ? f.function + " [k]" : f.function || f.address)),
    });
  }
  return stacks;
}

// Samples per process, the busiest first: [{pid, comm, count, share}].
export function topProcesses(stacks, limit = 10) {
  const by = new Map();
  let total = 0;
  for (const s of stacks) {
    const k = s.pid + "\u0000" + s.comm;
    by.set(k, { pid: s.pid, comm: s.comm, count: (by.get(k)?.count || 0) + s.count });
    total += s.count;
  }
  return [...by.values()].sort((a, b) => b.count - a.count).slice(0, limit)
    .map((p) => ({ ...p, share: total ? p.count / total : 0 }));
}
