import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import type { Incident, IncidentSummary } from "../../src/pipeline/incident.js";
import type { Verdict } from "../../src/verify/verdict.js";
import { cliPath, repoRoot, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The product end to end on the real demo world: Prometheus fires, Alertmanager pushes the
 * webhook to `fixloop serve`, and the deterministic pipeline (no LLM) reaches each scenario's
 * designed verdict, retrievable from the API and shown in the UI.
 */

const manifest = path.join(repoRoot, "examples/checkout/fixloop.yaml");
const tmp = tempDir("fixloop-e2e-pipeline-");
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  for (const scenario of ["catalog-shape", "pricing-v2"]) {
    await runCli(["down", "-f", manifest, "--state-dir", path.join(tmp.dir, scenario)]);
  }
  tmp.cleanup();
});

async function serve(stateDir: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [cliPath, "serve", "-f", manifest, "--state-dir", stateDir, "--port", "0"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  let stdout = "";
  child.stdout?.on("data", (d) => (stdout += d));
  for (let i = 0; i < 100; i++) {
    const url = stdout.match(/^listening on (http:\/\/\S+)/m)?.[1];
    if (url) return { url, child };
    await sleep(100);
  }
  throw new Error("fixloop serve did not start");
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  expect(res.status, url).toBe(200);
  return (await res.json()) as T;
}

async function concludedIncident(url: string, alert: string, timeoutMs: number): Promise<IncidentSummary> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { incidents } = await json<{ incidents: IncidentSummary[] }>(`${url}/api/incidents`);
    const done = incidents.find(
      (i) => i.alertName === alert && (i.stage === "concluded" || i.stage === "failed"),
    );
    if (done) return done;
    await sleep(1000);
  }
  throw new Error(`no concluded ${alert} incident within ${timeoutMs / 1000} s`);
}

/** Processes whose command line or working directory mention `dir`: what a run may leave behind. */
function processesUnder(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
      if (state !== "Z" && (cmdline.includes(dir) || cwd.startsWith(dir)))
        found.push(`${pid} ${cmdline.trim()}`);
    } catch {
      // gone while we looked
    }
  }
  return found;
}

describe("the pipeline on the real demo world", () => {
  for (const [scenario, designed] of [
    ["catalog-shape", "PASS"],
    ["pricing-v2", "REJECT"],
  ] as const) {
    it(`scenario ${scenario}: alert → webhook → report → patch → ${designed}, all retrievable from the API and the UI`, async () => {
      const stateDir = path.join(tmp.dir, scenario);
      const server = await serve(stateDir);
      const up = await runCli([
        "up",
        "-f",
        manifest,
        "--state-dir",
        stateDir,
        "--scenario",
        scenario,
        "--webhook-url",
        `${server.url}/webhooks/alertmanager`,
      ]);
      expect(up.code, up.stderr).toBe(0);

      const summary = await concludedIncident(server.url, "CheckoutErrorRateHigh", 150_000);
      const incident = await json<Incident>(`${server.url}/api/incidents/${summary.id}`);
      const verdict = incident.verdict as unknown as Verdict;
      expect(incident.outcome, `${incident.headline}\n${incident.error ?? ""}`).toBe(designed);
      expect(incident.notifications).toBeGreaterThanOrEqual(1);

      // The report names the cause and the planted commit; the patch reverts it; the bundle holds the numbers.
      expect(incident.report?.suspectChange?.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(incident.patch?.strategy).toBe("revert-suspect-change");
      expect(incident.patch?.baseCommit).toBe(incident.report?.suspectChange?.commit);
      if (scenario === "catalog-shape") {
        expect(incident.report?.errorSignature?.exceptionType).toBe("ValueError");
        expect(incident.patch?.files).toEqual(["catalog.py"]);
        expect(verdict.sides.patched?.errorRate.value).toBeLessThan(0.05);
      } else {
        expect(incident.patch?.files).toEqual(["pricing_client.py"]);
        expect(verdict.sides.patched?.errorRate.value).toBeLessThan(0.05);
        expect(verdict.reasons.map((r) => r.message).join("\n")).toMatch(/p\d\d_ms/);
      }

      const diff = await fetch(`${server.url}/api/incidents/${summary.id}/patch.diff`);
      expect(await diff.text()).toBe(incident.patch?.diff);
      const report = await (await fetch(`${server.url}/api/incidents/${summary.id}/report.md`)).text();
      expect(report).toMatch(/## Summary/);
      const bundle = await (await fetch(`${server.url}/api/incidents/${summary.id}/bundle.md`)).text();
      expect(bundle).toContain(designed);

      const page = await (await fetch(`${server.url}/incidents/${summary.id}`)).text();
      expect(page).toContain(designed);
      expect(page).toMatch(/<svg[^>]*role="img"/);
      const list = await (await fetch(`${server.url}/`)).text();
      expect(list).toContain(`/incidents/${summary.id}`);

      expect((await runCli(["down", "-f", manifest, "--state-dir", stateDir])).code).toBe(0);
      server.child.kill("SIGTERM");
      await new Promise((r) => server.child.once("exit", r));
      expect(processesUnder(stateDir)).toEqual([]);
    }, 240_000);
  }

  it("fixloop run leaves no process behind after Ctrl-C", async () => {
    const stateDir = path.join(tmp.dir, "interrupted");
    const child = spawn(
      process.execPath,
      [cliPath, "run", "-f", manifest, "--state-dir", stateDir, "--scenario", "catalog-shape"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    children.push(child);
    let stderr = "";
    child.stderr?.on("data", (d) => (stderr += d));
    for (let i = 0; i < 200 && !/world up in/.test(stderr); i++) await sleep(100);
    expect(stderr).toMatch(/world up in/);
    expect(processesUnder(stateDir).length).toBeGreaterThan(3);
    child.kill("SIGINT");
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(code).toBe(130);
    expect(processesUnder(stateDir)).toEqual([]);
  }, 60_000);
});
