// What the dashboard's browser tests share: a real agent on a loopback port of its own,
// Debian's Chromium driven by playwright-core (from web/node_modules, no browser download),
// and a page that records every page error and console error.
import { spawn, spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, copyFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run these tests through ctest (make test)`);
  return v;
};

export const KSCOPE = () => env("KSCOPE_BIN");
export const ARTIFACTS = () => {
  const dir = env("KSCOPE_WEB_ARTIFACTS");
  mkdirSync(dir, { recursive: true });
  return dir;
};
const playwright = () => createRequire(env("KSCOPE_WEB_MODULES") + "/")("playwright-core");

export const CHROMIUM = "/usr/bin/chromium";

// Why these tests cannot run here, or "" when they can.
export function cannotRun() {
  if (process.getuid() !== 0) return "SKIPPED: the agent loads BPF programs: run as root";
  if (spawnSync(CHROMIUM, ["--version"]).status !== 0) return `SKIPPED: no ${CHROMIUM}: run scripts/bootstrap`;
  return "";
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Agent {
  // config: YAML added to the test's own (loopback port 0, a fresh data directory).
  static async start(config = "") {
    const a = new Agent();
    a.dir = mkdtempSync(join(tmpdir(), "kscope-web-"));
    writeFileSync(join(a.dir, "agent.yaml"), "log: {level: info}\n" + config);
    a.stderr = "";
    a.proc = spawn(KSCOPE(), ["agent", "--listen", "127.0.0.1:0", "--data-dir", a.dir, "--config", join(a.dir, "agent.yaml")],
      { stdio: ["ignore", "ignore", "pipe"] });
    a.proc.stderr.on("data", (d) => { a.stderr += d; });
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      const m = a.stderr.match(/\/api\/v1\/events on 127\.0\.0\.1:(\d+)/);
      if (m && a.stderr.includes("kscope agent running")) {
        a.port = Number(m[1]);
        a.url = `http://127.0.0.1:${a.port}`;
        return a;
      }
      if (a.proc.exitCode !== null) break;
      await sleep(100);
    }
    a.proc.kill("SIGKILL");
    throw new Error("the agent did not start:\n" + a.stderr);
  }

  async stop() {
    if (this.proc.exitCode === null) {
      const exited = new Promise((r) => this.proc.once("exit", r));
      this.proc.kill("SIGTERM");
      await Promise.race([exited, sleep(10000)]);
      if (this.proc.exitCode === null) this.proc.kill("SIGKILL");
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  async get(path, headers = {}) {
    const res = await fetch(this.url + path, { headers });
    return { status: res.status, body: await res.text(), headers: res.headers };
  }
}

export async function launch() {
  return playwright().chromium.launch({
    executablePath: CHROMIUM,
    // No calls home: this machine refuses them, and each would be an error in the log.
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

// A 1280x800 page whose errors are collected: page.problems.
export async function openPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.problems = [];
  page.on("pageerror", (e) => page.problems.push("page error: " + e.message));
  page.on("console", (m) => { if (m.type() === "error") page.problems.push("console error: " + m.text()); });
  return page;
}

export async function screenshot(page, name) {
  await page.screenshot({ path: join(ARTIFACTS(), name + ".png"), fullPage: true });
}

// A program of its own name (its comm), copied from /bin/true or another: spawn it to make
// an exec that no other process on the machine makes.
export function uniqueProgram(prefix, from = "/bin/true") {
  const dir = mkdtempSync(join(tmpdir(), "kscope-web-bin-"));
  const name = (prefix + Math.random().toString(36).slice(2)).slice(0, 15);
  const path = join(dir, name);
  copyFileSync(from, path);
  chmodSync(path, 0o755);
  return { name, path, dir, run: (...args) => spawnSync(path, args), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
