import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { groupMembers } from "../../src/runtime/process.js";
import { readState, type WorldState } from "../../src/runtime/state.js";
import { waitForAlert } from "../helpers/alerts.js";
import { repoRoot, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

const manifest = path.join(repoRoot, "examples/checkout/fixloop.yaml");
const tmp = tempDir("fixloop-e2e-world-");
const stateDir = path.join(tmp.dir, "state");

afterAll(async () => {
  await runCli(["down", "-f", manifest, "--state-dir", stateDir]);
  tmp.cleanup();
});

describe("the demo world on real Prometheus and Alertmanager", () => {
  it("comes up, fires CheckoutErrorRateHigh within 60 s, and goes down leaving no process behind", async () => {
    const started = Date.now();
    const upRes = await runCli([
      "up",
      "-f",
      manifest,
      "--state-dir",
      stateDir,
      "--scenario",
      "catalog-shape",
    ]);
    expect(upRes.stderr).not.toMatch(/fixloop: /);
    expect(upRes.code).toBe(0);
    const state = readState(stateDir) as WorldState;
    expect(state.components.map((c) => c.name)).toEqual([
      "pricing",
      "checkout",
      "alertmanager",
      "prometheus",
      "loadgen",
    ]);

    const firedAfter = await waitForAlert(state.alertmanagerUrl as string, "CheckoutErrorRateHigh", 60_000);
    const status = JSON.parse(
      (await runCli(["status", "-f", manifest, "--state-dir", stateDir, "--json"])).stdout,
    ) as {
      components: { name: string; running: boolean; rssBytes?: number }[];
    };
    expect(status.components.every((c) => c.running)).toBe(true);
    const rss = status.components
      .map((c) => `${c.name} ${((c.rssBytes ?? 0) / 1048576).toFixed(1)} MiB`)
      .join(", ");
    process.stderr.write(
      `[measure] up→alert firing: ${((Date.now() - started) / 1000).toFixed(1)} s (alert ${firedAfter.toFixed(1)} s after up returned); RSS: ${rss}\n`,
    );

    // The alert is a real Prometheus alert: the rule's series exists with alertstate=firing.
    const promRes = await fetch(
      `${state.prometheusUrl}/api/v1/query?query=${encodeURIComponent('ALERTS{alertname="CheckoutErrorRateHigh",alertstate="firing"}')}`,
    );
    const prom = (await promRes.json()) as { data: { result: unknown[] } };
    expect(prom.data.result.length).toBe(1);

    const downRes = await runCli(["down", "-f", manifest, "--state-dir", stateDir]);
    expect(downRes.code).toBe(0);
    for (const c of state.components) expect(groupMembers(c), c.name).toEqual([]);
    expect(readState(stateDir)).toBeUndefined();
  }, 120_000);
});
