import { execFileSync } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/investigate/report.js";
import { readState } from "../../src/runtime/state.js";
import { waitForAlert } from "../helpers/alerts.js";
import { repoRoot, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

/**
 * The investigation against the real demo world: real services, Prometheus, Alertmanager, logs and
 * git history, one world per scenario, one after the other to bound the load.
 */
const manifest = path.join(repoRoot, "examples/checkout/fixloop.yaml");
const tmp = tempDir("fixloop-investigate-demo-");
const stateDirs: string[] = [];

afterAll(async () => {
  for (const stateDir of stateDirs) await runCli(["down", "-f", manifest, "--state-dir", stateDir]);
  tmp.cleanup();
});

/** Brings the scenario up, waits for CheckoutErrorRateHigh, investigates it through the CLI, and takes it down. */
async function investigateScenario(scenario: string): Promise<{ report: Report; head: string }> {
  const stateDir = path.join(tmp.dir, scenario);
  stateDirs.push(stateDir);
  const upRes = await runCli(["up", "-f", manifest, "--state-dir", stateDir, "--scenario", scenario]);
  expect(upRes.code, upRes.stderr).toBe(0);
  try {
    const state = readState(stateDir);
    await waitForAlert(state?.alertmanagerUrl as string, "CheckoutErrorRateHigh", 60_000);
    const res = await runCli([
      "investigate",
      "alertmanager",
      "-f",
      manifest,
      "--state-dir",
      stateDir,
      "--alertmanager-alertname",
      "CheckoutErrorRateHigh",
      "--json",
    ]);
    expect(res.code, res.stderr).toBe(0);
    const { reports } = JSON.parse(res.stdout) as { reports: Report[] };
    expect(reports).toHaveLength(1);
    const head = execFileSync("git", ["rev-parse", "HEAD"], {
      cwd: path.join(stateDir, "repos/checkout"),
      encoding: "utf8",
    }).trim();
    return { report: reports[0] as Report, head };
  } finally {
    await runCli(["down", "-f", manifest, "--state-dir", stateDir]);
  }
}

function expectFullEvidence(report: Report): void {
  const context = `summary: ${report.summary}\nmissing: ${report.missingEvidence.join("\n")}`;
  // No source of evidence is missing (a query that found nothing is noted, but is not a missing source).
  expect(
    report.missingEvidence.filter((m) => /^(metrics|logs|source|state): (?!\d+ queries)/.test(m)),
    context,
  ).toEqual([]);
  // Measured now, a little after the alert fired on > 5%: noisy, but there.
  expect(report.slo?.value, context).toBeGreaterThan(0.02);
  expect(report.slo?.description, context).toMatch(/^error rate \d+(\.\d)?% against a 5% SLO/);
  expect(report.summary).toContain(`CheckoutErrorRateHigh fires for checkout: ${report.slo?.description}.`);
  expect(report.runbook?.path).toBe("checkout-error-rate.md");
  const actions = report.evidenceLog.map((r) => r.action);
  expect(actions.some((a) => a.startsWith("PromQL sum by (status"))).toBe(true);
  expect(actions.some((a) => /git -C .* blame --porcelain/.test(a))).toBe(true);
  expect(report.confidence, context).toBeGreaterThanOrEqual(0.6);
}

describe("investigating the demo world", () => {
  it("catalog-shape: the ValueError for item ids ending in -3, the planted commit, revert or handle", async () => {
    const { report, head } = await investigateScenario("catalog-shape");
    expectFullEvidence(report);
    expect(report.errorSignature).toMatchObject({
      exceptionType: "ValueError",
      template: "ValueError: unsupported catalog shape for item_id=<*>",
    });
    expect(report.errorSignature?.message).toMatch(/^unsupported catalog shape for item_id=item-\d+-3$/);
    expect(report.cause).toMatch(
      /^ValueError: unsupported catalog shape for item_id=item-\d+-3 in catalog\.py:\d+, for requests with item_id ending in "-3"$/,
    );
    const attribute = report.failingAttributes[0];
    expect(attribute?.trait).toBe('item_id ending in "-3"');
    expect(attribute?.failing).toBe(attribute?.failingTotal);
    expect(attribute?.succeeding).toBe(0);
    expect(report.suspectChange).toMatchObject({
      commit: head,
      subject: "catalog: parse pricing responses through explicit shapes",
      file: "catalog.py",
    });
    expect(report.suspectChange?.hunk).toContain(
      '+        raise ValueError(f"unsupported catalog shape for item_id={item_id}")',
    );
    expect(report.recommendation).toMatch(
      new RegExp(
        `^Revert the hunk of ${head.slice(0, 10)} \\("catalog: parse pricing responses through explicit shapes"\\) in catalog\\.py, or handle the failing case \\(item_id ending in "-3"\\): ValueError: unsupported catalog shape`,
      ),
    );
    expect(report.downstream).toMatchObject([{ service: "pricing", verdict: "healthy" }]);
  }, 150_000);

  it("pricing-v2: the v2 quote error for SKUs ending in 7, and the migration commit", async () => {
    const { report, head } = await investigateScenario("pricing-v2");
    expectFullEvidence(report);
    expect(report.errorSignature?.message).toMatch(
      /^pricing call failed for item_id=item-\d\d7-\d: POST \/v2\/quote returned HTTP 404: .*not in the v2 catalog/,
    );
    expect(report.cause).toMatch(
      /POST \/v2\/quote returned HTTP 404.* in pricing_client\.py:\d+, for requests with item_id part 2 ending in "7"$/,
    );
    const attribute = report.failingAttributes[0];
    expect(attribute?.trait).toBe('item_id part 2 ending in "7"');
    expect(attribute?.failing).toBe(attribute?.failingTotal);
    expect(attribute?.succeeding).toBe(0);
    expect(report.suspectChange).toMatchObject({
      commit: head,
      subject: "Move to the pricing v2 batch quote endpoint",
      file: "pricing_client.py",
    });
    expect(report.recommendation).toMatch(
      new RegExp(
        `^Revert the hunk of ${head.slice(0, 10)} \\("Move to the pricing v2 batch quote endpoint"\\) in pricing_client\\.py`,
      ),
    );
    // Pricing itself is fine; it rejects what checkout now sends it.
    expect(report.downstream[0]).toMatchObject({ service: "pricing", verdict: "healthy", errorRate: 0 });
    expect(report.downstream[0]?.description).toMatch(/rejects \d+(\.\d)?% of checkout's calls with 4xx/);
  }, 150_000);
});
