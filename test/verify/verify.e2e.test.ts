import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isRunning, stopGroup } from "../../src/runtime/process.js";
import { readState } from "../../src/runtime/state.js";
import type { Verdict } from "../../src/verify/verdict.js";
import { cliPath, repoRoot, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The verifier against the demo world (examples/checkout, scenario catalog-shape: item ids ending
 * in -3 fail with HTTP 500), through the real CLI. Patches are written here, not by the bridge.
 */
const manifest = path.join(repoRoot, "examples/checkout/fixloop.yaml");
const history = path.join(repoRoot, "examples/checkout/checkout_history");
const tmp = tempDir("fixloop-test-verify-");
const stateDir = path.join(tmp.dir, "state");
const repo = path.join(stateDir, "repos/checkout");
const world = ["-f", manifest, "--state-dir", stateDir];
const alert = ["--alert", "CheckoutErrorRateHigh", "--concurrency", "8", "--max-requests", "400"];

/** The pre-refactor parser, which still knew the bundle shape: the real fix. */
const bundleAwareCatalog = readFileSync(path.join(history, "09-shapes-with-bundle/catalog.py"), "utf8");

/** A diff against the world's checkout repo, made by editing a scratch clone. */
function makePatch(name: string, edit: (dir: string) => void): string {
  const dir = path.join(tmp.dir, `edit-${name}`);
  execFileSync("git", ["clone", "-q", repo, dir]);
  edit(dir);
  const file = path.join(tmp.dir, `${name}.diff`);
  writeFileSync(file, execFileSync("git", ["diff"], { cwd: dir, encoding: "utf8" }));
  return file;
}

function editCatalog(transform: (source: string) => string): (dir: string) => void {
  return (dir) => writeFileSync(path.join(dir, "catalog.py"), transform(bundleAwareCatalog));
}

async function verify(
  patch: string,
  extra: string[] = [],
): Promise<{ code: number | null; verdict: Verdict; stderr: string; bundle: string }> {
  const out = path.join(tmp.dir, `${path.basename(patch, ".diff")}-bundle.md`);
  const res = await runCli(["verify", ...world, ...alert, "--patch", patch, "-o", out, ...extra], {
    timeoutMs: 120_000,
  });
  if (!existsSync(`${out.replace(/\.md$/, "")}.json`))
    throw new Error(`no verdict (exit ${res.code}):\n${res.stderr}`);
  return {
    code: res.code,
    verdict: JSON.parse(readFileSync(`${out.replace(/\.md$/, "")}.json`, "utf8")) as Verdict,
    stderr: res.stderr,
    bundle: readFileSync(out, "utf8"),
  };
}

function repoHead(): string {
  return execFileSync("git", ["rev-parse", "HEAD"], { cwd: repo, encoding: "utf8" }).trim();
}

function repoStatus(): string {
  return execFileSync("git", ["status", "--porcelain"], { cwd: repo, encoding: "utf8" });
}

function fixloopWorkspaces(): string[] {
  return readdirSync(os.tmpdir()).filter((d) => /^fixloop-verify-(baseline|patched)-/.test(d));
}

let headBefore = "";

beforeAll(async () => {
  const res = await runCli(["up", ...world, "--scenario", "catalog-shape"], { timeoutMs: 120_000 });
  if (res.code !== 0) throw new Error(`fixloop up failed:\n${res.stderr}`);
  headBefore = repoHead();
}, 150_000);

afterAll(async () => {
  await runCli(["down", ...world]);
  tmp.cleanup();
}, 60_000);

describe("fixloop verify against the demo world (catalog-shape)", () => {
  it("passes the real fix: baseline reproduces the 500s, patched clears them with confidence, nothing regresses", async () => {
    const patch = makePatch(
      "fix",
      editCatalog((s) => s),
    );
    const { code, verdict, bundle } = await verify(patch);
    expect(verdict.outcome).toBe("PASS");
    expect(code).toBe(0);
    expect(verdict.slo?.baseline.status).toBe("reproduced");
    expect(verdict.slo?.patched.status).toBe("cleared");
    expect(verdict.slo?.patched.estimate?.upper).toBeLessThan(0.05);
    expect(verdict.sides.baseline?.errorRate.value).toBeGreaterThan(0.05);
    expect(verdict.sides.patched?.errors).toBe(0);
    expect(verdict.sides.baseline?.requests).toBe(verdict.sides.patched?.requests);
    expect(verdict.watch.every((w) => w.status === "ok")).toBe(true);
    expect(verdict.newlyFailing.total).toBe(0);
    expect(verdict.newlyPassing.sharedValues).toContainEqual(
      expect.objectContaining({ variable: "shape", value: "3" }),
    );
    expect(verdict.errorSignatures.resolved.map((s) => s.template).join("\n")).toMatch(
      /ValueError: unsupported catalog shape/,
    );
    // Calls went through the recording proxies to the real pricing service: one per request.
    expect(verdict.sides.patched?.downstreams[0]?.callsPerRequest).toBe(1);
    expect(verdict.sides.baseline?.latency?.histogram.counts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(bundle).toMatch(/^# Verdict: PASS/);
    expect(bundle).toContain("```diff");
    // The service's own repo is never written, and every temporary clone is gone.
    expect(repoHead()).toBe(headBefore);
    expect(repoStatus()).toBe("");
    expect(fixloopWorkspaces()).toEqual([]);
  }, 120_000);

  it("rejects an empty patch: the SLO is still violated", async () => {
    const empty = path.join(tmp.dir, "empty.diff");
    writeFileSync(empty, "");
    const { code, verdict } = await verify(empty);
    expect(verdict.outcome).toBe("REJECT");
    expect(code).toBe(1);
    expect(verdict.patch.empty).toBe(true);
    expect(verdict.reasons[0]?.code).toBe("slo-violated");
    expect(verdict.slo?.patched.status).toBe("violated");
  }, 120_000);

  it("rejects a wrong patch that changes nothing that matters", async () => {
    const patch = makePatch("wrong", (dir) => {
      const file = path.join(dir, "catalog.py");
      writeFileSync(file, readFileSync(file, "utf8").replace('"""Turn pricing', '"""Turn the pricing'));
    });
    const { code, verdict } = await verify(patch);
    expect(verdict.outcome).toBe("REJECT");
    expect(code).toBe(1);
    expect(verdict.reasons[0]?.message).toMatch(/SLO is still violated/);
  }, 120_000);

  it("rejects a patch that fixes bundles but breaks weighted items, naming the newly failing requests", async () => {
    const patch = makePatch(
      "breaks-weighted",
      editCatalog((s) => s.replace('raw["weight_g"]', 'raw["weight_grams"]')),
    );
    const { code, verdict, bundle } = await verify(patch);
    expect(verdict.outcome).toBe("REJECT");
    expect(code).toBe(1);
    expect(verdict.newlyFailing.total).toBeGreaterThan(0);
    expect(verdict.newlyFailing.groups.every((g) => /item-\d+-8"/.test(g.description))).toBe(true);
    expect(verdict.newlyFailing.sharedValues[0]).toMatchObject({ variable: "shape", value: "8" });
    const errorRate = verdict.watch.find((w) => w.signal === "error_rate");
    expect(errorRate?.status).toBe("regressed");
    expect(errorRate?.details?.find((d) => d.subject === "shape=8")?.status).toBe("regressed");
    expect(verdict.errorSignatures.new.map((s) => s.template).join("\n")).toMatch(/KeyError/);
    expect(bundle).toMatch(/Newly failing requests.*: [1-9]/);
    expect(bundle).toMatch(/POST \/checkout \{"item_id": "item-\d+-8"/);
  }, 120_000);

  it("rejects a patch that clears the errors but adds 300 ms", async () => {
    const patch = makePatch(
      "slow",
      editCatalog((s) =>
        s.replace(
          "def line_total(quote, quantity):\n",
          "def line_total(quote, quantity):\n    __import__('time').sleep(0.3)\n",
        ),
      ),
    );
    const { code, verdict } = await verify(patch);
    expect(verdict.outcome).toBe("REJECT");
    expect(code).toBe(1);
    expect(verdict.slo?.patched.status).toBe("cleared");
    const latency = verdict.watch.filter((w) => w.unit === "ms" && w.status === "regressed");
    expect(latency.length).toBeGreaterThan(0);
    expect(latency[0]?.change?.value).toBeGreaterThan(250);
    expect(verdict.reasons[0]?.code).toBe("regression");
    expect(verdict.reasons[0]?.message).toMatch(/p\d+_ms/);
  }, 120_000);

  it("is inconclusive when the patched candidate cannot start, and shows why", async () => {
    const patch = makePatch("no-start", (dir) => {
      const file = path.join(dir, "catalog.py");
      writeFileSync(file, `raise SystemExit("catalog: refusing to load")\n${readFileSync(file, "utf8")}`);
    });
    const { code, verdict } = await verify(patch);
    expect(verdict.outcome).toBe("INCONCLUSIVE");
    expect(code).toBe(3);
    expect(verdict.reasons[0]?.code).toBe("start-failed");
    expect(verdict.reasons[0]?.message).toMatch(/patched candidate failed to start[\s\S]*refusing to load/);
  }, 120_000);

  it("rejects a patch whose candidate dies during the run", async () => {
    const patch = makePatch(
      "dies",
      editCatalog((s) =>
        s.replace("def _weighted(raw):\n", 'def _weighted(raw):\n    __import__("os")._exit(7)\n'),
      ),
    );
    const { code, verdict } = await verify(patch);
    expect(verdict.outcome).toBe("REJECT");
    expect(code).toBe(1);
    expect(verdict.reasons[0]?.code).toBe("crash");
    expect(verdict.sides.patched?.crashed).toBe(true);
    expect(verdict.sides.baseline?.crashed).toBe(false);
  }, 120_000);

  it("rejects a patch that writes outside the repo, without running anything", async () => {
    const patch = path.join(tmp.dir, "escape.diff");
    writeFileSync(
      patch,
      "diff --git a/../escape.txt b/../escape.txt\nnew file mode 100644\n--- /dev/null\n+++ b/../escape.txt\n@@ -0,0 +1 @@\n+owned\n",
    );
    const { code, verdict } = await verify(patch);
    expect(verdict.outcome).toBe("REJECT");
    expect(code).toBe(1);
    expect(verdict.reasons[0]).toMatchObject({ code: "invalid-patch" });
    expect(verdict.reasons[0]?.message).toMatch(/leaves the repo/);
    expect(verdict.sides).toEqual({});
    expect(existsSync(path.join(stateDir, "repos/escape.txt"))).toBe(false);
  }, 60_000);

  it("reports usage mistakes with exit code 2", async () => {
    const fix = path.join(tmp.dir, "empty.diff");
    const noSlo = await runCli(["verify", ...world, "--service", "checkout", "--patch", fix]);
    expect(noSlo.code).toBe(2);
    expect(noSlo.stderr.trim()).toBe("fixloop: pass --alert NAME or --slo 'error_rate > 0.05'");
    const badSlo = await runCli([
      "verify",
      ...world,
      "--service",
      "checkout",
      "--slo",
      "latency > 3",
      "--patch",
      fix,
    ]);
    expect(badSlo.code).toBe(2);
    expect(badSlo.stderr).toMatch(/unknown SLO signal 'latency'/);
    const badWatch = await runCli(["verify", ...world, ...alert, "--watch", "p99_ms:20%", "--patch", fix]);
    expect(badWatch.code).toBe(2);
    const down = await runCli([
      "verify",
      "-f",
      manifest,
      "--state-dir",
      path.join(tmp.dir, "nowhere"),
      ...alert,
      "--patch",
      fix,
    ]);
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/service 'checkout' is not running; start the environment with 'fixloop up/);
  }, 60_000);

  it("stops and reaps both candidates on Ctrl-C", async () => {
    const patch = makePatch(
      "fix-again",
      editCatalog((s) => s),
    );
    const child = spawn(process.execPath, [cliPath, "verify", ...world, ...alert, "--patch", patch], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const replaying = new Promise<void>((resolve) => {
      child.stderr.on("data", (d) => {
        stderr += d;
        if (stderr.includes("replay:")) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await replaying;
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    expect(stderr).toMatch(/verification interrupted; candidates stopped/);
    const pids = [...stderr.matchAll(/candidate pid (\d+)/g)].map((m) => Number(m[1]));
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(fixloopWorkspaces()).toEqual([]);
  }, 60_000);

  // Last: it stops the world's pricing service.
  it("is inconclusive when the downstream goes down during the run", async () => {
    const patch = makePatch(
      "fix-while-down",
      editCatalog((s) => s),
    );
    const child = spawn(
      process.execPath,
      [cliPath, "verify", ...world, ...alert, "--patch", patch, "--json"],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    const replaying = new Promise<void>((resolve) => {
      child.stderr.on("data", (d) => {
        stderr += d;
        if (stderr.includes("replay:")) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    await replaying;
    const pricing = readState(stateDir)?.components.find((c) => c.name === "pricing");
    if (!pricing) throw new Error("no pricing in the world's state");
    await stopGroup(pricing);
    expect(isRunning(pricing)).toBe(false);
    expect(await exited).toBe(3);
    const verdict = JSON.parse(stdout) as Verdict;
    expect(verdict.outcome).toBe("INCONCLUSIVE");
    expect(verdict.reasons[0]?.code).toBe("downstream-unavailable");
    expect(verdict.sides.baseline?.downstreams[0]?.connectionFailures).toBeGreaterThan(0);
    expect(verdict.sides.patched?.downstreams[0]?.connectionFailures).toBeGreaterThan(0);
  }, 60_000);
});
