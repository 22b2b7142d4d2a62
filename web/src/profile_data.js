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

// Samples per process, the busiest first: [{pid, comm, count, share}]. Stacks carry their
// thread's name; a process is named by its busiest thread's.
export function topProcesses(stacks, limit = 10) {
  const by = new Map();
  let total = 0;
  for (const s of stacks) {
    const p = by.get(s.pid) || { pid: s.pid, count: 0, threads: new Map() };
    p.count += s.count;
    p.threads.set(s.comm, (p.threads.get(s.comm) || 0) + s.count);
    by.set(s.pid, p);
    total += s.count;
  }
  return [...by.values()].sort((a, b) => b.count - a.count).slice(0, limit).map((p) => ({
    pid: p.pid, count: p.count, share: total ? p.count / total : 0,
    comm: [...p.threads.entries()].sort((a, b) => b[1] - a[1])[0][0],
  }));
}
