// The web dashboard in a real browser (Debian's Chromium via playwright-core) against a
// real agent: every view loads clean, a real exec shows live, filters narrow and stay in
// the URL, a real alert shows with its ancestry, the profiler's hot function shows as text
// and zooms. A screenshot of every view goes to $KSCOPE_WEB_ARTIFACTS.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { Agent, launch, openPage, screenshot, uniqueProgram, cannotRun, sleep } from "./harness.mjs";

const why = cannotRun();
if (why) console.log(why);

const VIEWS = [
  // path, what shows once its data is in
  ["/", "#tile-events"],
  ["/events", "#events-info"],
  ["/alerts", "#alert-list"],
  ["/network", "canvas.heatmap"],
  ["/profile", "#flame-info"],
  ["/performance", "canvas.heatmap"],
  ["/probes", "table td"],
];

describe("dashboard", { skip: why || false }, () => {
  let agent, browser;
  before(async () => {
    agent = await Agent.start("profiling: {frequency: 99}\nprobes: {open: {enabled: true}}\n");
    browser = await launch();
  });
  after(async () => {
    if (browser) await browser.close();
    if (agent) await agent.stop();
  });

  it("serves every view's URL and the bundle from the binary, gzipped", async () => {
    for (const [path] of VIEWS) {
      const r = await agent.get(path);
      assert.equal(r.status, 200, path);
      assert.match(r.body, /<script src="\/assets\/app.js">/);
    }
    const js = await fetch(agent.url + "/assets/app.js", { headers: { "Accept-Encoding": "gzip, br" } });
    assert.equal(js.headers.get("content-encoding"), "gzip");
    assert.ok((await js.text()).length > 10000);
    assert.equal((await agent.get("/assets/nope.js")).status, 404);
  });

  it("loads every view with no page or console error, in both themes", async () => {
    const page = await openPage(browser);
    for (const [path, ready] of VIEWS) {
      await page.goto(agent.url + path);
      await page.waitForSelector(ready, { timeout: 10000 });
      await sleep(2500);  // two metric polls: rates and charts drawn
      assert.equal(await page.locator("nav a.active").getAttribute("href"), path);
      await screenshot(page, "view" + (path === "/" ? "-overview" : path.replace("/", "-")));
    }
    // The nav switches views without a reload; the theme toggles and is kept.
    await page.goto(agent.url + "/");
    await page.click('nav a[href="/probes"]');
    await page.waitForSelector("table td");
    assert.equal(new URL(page.url()).pathname, "/probes");
    const before = await page.evaluate(() => document.documentElement.dataset.theme);
    await page.click("#theme");
    const after = await page.evaluate(() => document.documentElement.dataset.theme);
    assert.notEqual(before, after);
    await page.goto(agent.url + "/");
    await page.waitForSelector("#tile-events");
    assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), after);
    await sleep(2500);
    await screenshot(page, "view-overview-" + after);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("shows the probe table live with each probe's hooks", async () => {
    const page = await openPage(browser);
    await page.goto(agent.url + "/probes");
    const exec = page.locator("tr", { hasText: "sched_process_exec" }).first();
    await exec.waitFor();
    assert.match(await exec.innerText(), /running/);
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("shows a real exec on /events within 2 s, and its JSON on click", async () => {
    const page = await openPage(browser);
    await page.goto(agent.url + "/events");
    await page.waitForFunction(() => document.querySelector("#events-info").textContent.includes("arriving"));
    await sleep(500);  // the stream's subscription is in place
    const prog = uniqueProgram("kswebexec");
    try {
      const start = Date.now();
      prog.run("--marker");
      const row = page.locator('#events-table tr[data-type="exec"]', { hasText: prog.name }).first();
      await row.waitFor({ timeout: 2000 });
      const took = Date.now() - start;
      assert.ok(took <= 2000, `shown after ${took} ms`);
      await row.click();
      const json = JSON.parse(await page.locator("#event-json").innerText());
      assert.equal(json.type, "exec");
      assert.equal(json.comm, prog.name);
      assert.equal(json.filename, prog.path);
      assert.deepEqual(json.argv, [prog.path, "--marker"]);
      await screenshot(page, "events-exec");
    } finally {
      prog.cleanup();
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("narrows /events with filters kept in the URL", async () => {
    const a = uniqueProgram("kswebfa"), b = uniqueProgram("kswebfb");
    const page = await openPage(browser);
    try {
      await page.goto(agent.url + "/events?type=exec");
      await page.waitForFunction(() => document.querySelector("#events-info").textContent.includes("arriving"));
      await sleep(500);
      a.run(); b.run();
      await page.locator('#events-table tr[data-type="exec"]', { hasText: a.name }).first().waitFor();
      await page.locator('#events-table tr[data-type="exec"]', { hasText: b.name }).first().waitFor();
      // Every shown row is an exec.
      const types = await page.locator("#events-table tbody tr").evaluateAll((rows) => rows.map((r) => r.dataset.type));
      assert.ok(types.length >= 2 && types.every((t) => t === "exec"), types.join(","));
      // comm narrows what is shown now and what arrives next.
      await page.fill('input[name="comm"]', a.name);
      await page.press('input[name="comm"]', "Enter");
      await page.waitForFunction((n) => new URL(location.href).searchParams.get("comm") === n, a.name);
      await sleep(500);  // the stream is reopened with the filter
      a.run(); b.run();
      await sleep(1500);
      const comms = await page.locator("#events-table tbody tr td:nth-child(4)").allInnerTexts();
      assert.ok(comms.length >= 2, "both execs of the filtered program are shown: " + comms.join(","));
      assert.ok(comms.every((c) => c === a.name), comms.join(","));
      // The link opens the same filtered view.
      const url = page.url();
      assert.match(url, /type=exec/);
      await page.goto(url);
      assert.equal(await page.inputValue('input[name="comm"]'), a.name);
      assert.equal(await page.inputValue('select[name="type"]'), "exec");
      // History from the store, for a time range.
      await page.fill('input[name="since"]', "5m");
      await page.press('input[name="since"]', "Enter");
      await page.waitForFunction(() => document.querySelector("#events-info").textContent.includes("stored events"));
      const stored = await page.locator("#events-table tbody tr td:nth-child(4)").allInnerTexts();
      assert.ok(stored.length >= 2 && stored.every((c) => c === a.name), stored.join(","));
      await screenshot(page, "events-filtered");
    } finally {
      a.cleanup();
      b.cleanup();
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("shows a real alert on /alerts with its triggering event, ancestry and action", async () => {
    // Default rule "Search private keys or passwords": grep for a private key header.
    spawnSync("/bin/sh", ["-c", "grep -r 'BEGIN OPENSSH PRIVATE' /nonexistent-kscope-web; true"]);
    const page = await openPage(browser);
    await page.goto(agent.url + "/alerts");
    const card = page.locator('article[data-rule="Search private keys or passwords"]').first();
    await card.waitFor({ timeout: 10000 });
    const text = await card.innerText();
    assert.match(text, /Warning/);
    assert.match(text, /action: alerted/);
    const ancestry = await card.locator(".ancestry li").allInnerTexts();
    assert.ok(ancestry.length >= 2, ancestry.join("\n"));
    assert.match(ancestry[ancestry.length - 1], /grep/);
    assert.match(ancestry[ancestry.length - 2], /\bsh\b/);
    await card.locator("details summary").click();
    const trigger = JSON.parse(await card.locator("details pre").innerText());
    assert.equal(trigger.type, "exec");
    assert.equal(trigger.comm, "grep");
    // By rule and priority, and the filter in the URL.
    await page.locator("table tr", { hasText: "Search private keys or passwords" }).first().click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get("rule") === "Search private keys or passwords");
    await screenshot(page, "alerts-real");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("shows the profiler's hot function as text on /profile, zooms on click and searches", async () => {
    const target = process.env.PROFILE_TARGET;
    assert.ok(target, "PROFILE_TARGET is not set");
    // The profiler unwinds a process once it has loaded its tables, and names stacks as it
    // drains them: on a loaded machine (Chromium just started) a short run can end before
    // that. The target runs again until the API has its hot function, then the page opens.
    const hasHot = async () =>
      (await agent.get("/api/v1/profile?comm=profile_target&since=5m&format=folded")).body.includes(";hot_a;");
    let runs = 0;
    while (!(await hasHot())) {
      assert.ok(runs < 5, `the profiler never had profile_target's hot_a after ${runs} runs of 3 s`);
      spawnSync(target, ["3"]);
      runs++;
      for (let i = 0; i < 10 && !(await hasHot()); i++) await sleep(500);
    }
    const page = await openPage(browser);
    await page.goto(agent.url + "/profile?comm=profile_target&since=5m");
    const hot = page.locator('.frame[data-name="hot_a"]').first();
    await hot.waitFor({ timeout: 10000 });
    assert.equal(await hot.innerText(), "hot_a");
    const widthBefore = (await hot.boundingBox()).width;
    // Zoom on hot_a: it spans the graph, its caller is an ancestor above it.
    await hot.click();
    await page.waitForFunction(() => new URL(location.href).searchParams.get("focus")?.endsWith("hot_a"));
    const zoomed = page.locator('.frame[data-name="hot_a"]').first();
    const widthAfter = (await zoomed.boundingBox()).width;
    assert.ok(widthAfter > widthBefore * 1.2, `${widthBefore} -> ${widthAfter}`);
    assert.equal(await page.locator('.frame[data-name="hot_b"]').count(), 0);
    assert.match(await page.locator("#flame-info").innerText(), /in hot_a/);
    await screenshot(page, "profile-zoomed");
    await page.click("#reset-zoom");
    await page.locator('.frame[data-name="hot_b"]').first().waitFor();
    // Search: matches highlighted, their share shown.
    await page.fill('input[name="search"]', "hot_");
    await page.waitForSelector(".frame.match");
    const info = await page.locator("#flame-info").innerText();
    const share = parseFloat(info.match(/search matched ([\d.]+)%/)[1]);
    assert.ok(share > 50 && share <= 100, info);
    await screenshot(page, "profile-search");
    // A differential view of two ranges (the same range twice: nothing changed).
    await page.goto(agent.url + "/profile?comm=profile_target&since=5m&base_since=5m");
    await page.locator('.frame[data-name="hot_a"]').first().waitFor();
    assert.match(await page.locator("#flame-info").innerText(), /baseline: /);
    await screenshot(page, "profile-diff");
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });

  it("stays responsive under an open storm, and says the stream is thinned", async () => {
    const storm = spawn(process.execPath, ["-e", `
      const fs = require("fs"); const end = Date.now() + 15000;
      while (Date.now() < end) { fs.closeSync(fs.openSync("/dev/null", "r")); }`]);
    const page = await openPage(browser);
    try {
      await page.goto(agent.url + "/events?type=open");
      const banner = page.locator("#events-thinned");
      await banner.waitFor({ state: "visible", timeout: 8000 });
      assert.match(await banner.innerText(), /Thinned for display/);
      // Responsive: a click answers at once, and the page's main thread is not starved.
      const t0 = Date.now();
      await page.click("#pause");
      assert.equal(await page.innerText("#pause"), "Resume");
      assert.ok(Date.now() - t0 < 1000, `pause took ${Date.now() - t0} ms`);
      const rows = await page.locator("#events-table tbody tr").count();
      assert.ok(rows <= 1000, `${rows} rows kept`);
      await screenshot(page, "events-thinned");
    } finally {
      storm.kill("SIGKILL");
    }
    assert.deepEqual(page.problems, []);
    await page.context().close();
  });
});

describe("dashboard with a bearer token", { skip: why || false }, () => {
  it("asks for the token once and sends it", async () => {
    const agent = await Agent.start("http: {bearer_token: s3cret-web}\n");
    const browser = await launch();
    try {
      assert.equal((await agent.get("/")).status, 200, "the page itself needs no token");
      assert.equal((await agent.get("/metrics")).status, 401);
      const page = await openPage(browser);
      await page.goto(agent.url + "/probes");
      await page.waitForSelector("#token-input");
      await page.fill("#token-input", "s3cret-web");
      await page.click("#token-form button");
      await page.waitForSelector("table td");
      // Once: another view, and a reload, do not ask again.
      await page.goto(agent.url + "/");
      await page.waitForSelector("#tile-events");
      await sleep(1000);
      assert.equal(await page.locator("#token-input").count(), 0);
      await screenshot(page, "token-overview");
      // The only errors are the 401s before the token was given.
      assert.deepEqual(page.problems.filter((p) => !p.includes("401")), []);
    } finally {
      await browser.close();
      await agent.stop();
    }
  });
});
