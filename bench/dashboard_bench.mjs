// The dashboard's costs, in Debian's Chromium against a real agent on loopback:
//  1. first load of / with a cold cache: time to the load event and to the first data on
//     screen, and the bytes transferred (the page's own files, then with its first API calls);
//  2. the agent's added CPU with one page open on /events, under the mixed storm: windows
//     without and with the page alternate, medians compared.
// Usage (bench/dashboard_bench.sh sets the environment): node dashboard_bench.mjs LOADS ROUNDS WINDOW_S OPENS EXECS CONNS
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, launch, sleep } from "../tests/web/harness.mjs";

const [LOADS, ROUNDS, WINDOW, OPENS, EXECS, CONNS] = process.argv.slice(2).map(Number);
const STORM = process.env.MIXED_STORM;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const ticks = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return Number(rest[11]) + Number(rest[12]);  // utime + stime (fields 14 and 15)
};
const HZ = 100;  // USER_HZ on Linux

const agent = await Agent.start("probes: {open: {enabled: true}}\n");
const browser = await launch();
try {
  console.log(`dashboard bench: agent with every probe on (open included), Chromium ${browser.version()}, ${LOADS} cold loads`);
  const loads = [], shown = [], own = [], total = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const t0 = Date.now();
    await page.goto(agent.url + "/", { waitUntil: "load" });
    await page.waitForFunction(() => document.querySelector("#tile-events"));
    shown.push(Date.now() - t0);
    const m = await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const res = performance.getEntriesByType("resource");
      const files = res.filter((r) => new URL(r.name).pathname.startsWith("/assets/"));
      const sum = (list) => list.reduce((s, r) => s + r.transferSize, 0);
      return { load: nav.loadEventEnd, own: nav.transferSize + sum(files), all: nav.transferSize + sum(res) };
    });
    loads.push(m.load);
    own.push(m.own);
    total.push(m.all);
    await context.close();
  }
  console.log(`first load of /: load event ${median(loads).toFixed(0)} ms, data on screen ${median(shown)} ms (medians of ${LOADS}); ` +
    `transferred ${(median(own) / 1024).toFixed(1)} KiB (HTML, JS, CSS, icon; gzip), ` +
    `${(median(total) / 1024).toFixed(1)} KiB with the first API calls`);

  const storm = spawn(STORM, [String(ROUNDS * 2 * (WINDOW + 3) + 10), String(OPENS), String(EXECS), String(CONNS), "20320"],
    { stdio: "ignore" });
  await sleep(2000);
  const without = [], withPage = [];
  const measure = async () => {
    const a = ticks(agent.proc.pid);
    await sleep(WINDOW * 1000);
    return ((ticks(agent.proc.pid) - a) / HZ / WINDOW) * 100;
  };
  for (let r = 0; r < ROUNDS; r++) {
    without.push(await measure());
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(agent.url + "/events");
    await page.waitForFunction(() => document.querySelector("#events-info").textContent.includes("arriving"));
    await sleep(3000);
    withPage.push(await measure());
    const info = await page.innerText("#events-info");
    const thinned = await page.isVisible("#events-thinned") ? await page.innerText("#events-thinned") : "not thinned";
    if (r === 0) console.log(`  /events said: ${info} | ${thinned.split("(")[0].trim()}`);
    await context.close();
    await sleep(1000);
  }
  storm.kill("SIGTERM");
  console.log(`mixed storm ${OPENS} opens/s + ${EXECS} execs/s + ${CONNS} connections/s, ${ROUNDS} alternating ${WINDOW} s windows:`);
  console.log(`  agent without a page: ${without.map((x) => x.toFixed(1)).join(" ")} -> median ${median(without).toFixed(1)}% of a CPU`);
  console.log(`  agent with /events open: ${withPage.map((x) => x.toFixed(1)).join(" ")} -> median ${median(withPage).toFixed(1)}% of a CPU`);
  console.log(`  added by the dashboard: ${(median(withPage) - median(without)).toFixed(1)} points of a CPU`);
} finally {
  await browser.close();
  await agent.stop();
}
