import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Report } from "../../src/investigate/report.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { writeTinyWorld } from "../helpers/world.js";
import { incidentLog, shopAlert, shopHistory, shopWorld } from "./fixtures.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

function world() {
  const t = tempDir("fixloop-investigate-cli-");
  cleanups.push(t.cleanup);
  return shopWorld(t.dir, incidentLog(60_000, 200), shopHistory());
}

/** The saved Alertmanager webhook payload (v4) of a firing alert. */
function webhookPayload() {
  const alert = shopAlert(20_000);
  return {
    version: "4",
    status: "firing",
    receiver: "fixloop",
    groupKey: '{}:{alertname="WebErrorRateHigh"}',
    alerts: [
      {
        status: "firing",
        labels: alert.labels,
        annotations: alert.annotations,
        startsAt: alert.startsAt,
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: alert.generatorURL,
        fingerprint: alert.fingerprint,
      },
    ],
  };
}

const sections = [
  "## Summary",
  "## Evidence",
  "## Suspect change",
  "## Recommendation",
  "## Runbook",
  "## Missing evidence",
  "## Evidence log",
];

describe("fixloop investigate", () => {
  it("replays a saved webhook payload offline: markdown on stdout with the stable sections, progress on stderr", async () => {
    const w = world();
    const alertFile = path.join(w.dir, "alert.json");
    writeFileSync(alertFile, JSON.stringify(webhookPayload()));
    const res = await runCli(["investigate", "alert", "--file", alertFile, "-f", w.file]);
    expect(res.stderr).toMatch(/· investigating WebErrorRateHigh on web\n/);
    expect(res.code).toBe(0);
    const positions = sections.map((s) => res.stdout.indexOf(`\n${s}\n`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(res.stdout).toMatch(/^# WebErrorRateHigh on web\n/);
    expect(res.stdout).toContain(`Commit \`${w.shas[2]}\` — "pricing: validate coupon kinds" by Alan Turing`);
    expect(res.stdout).toMatch(/\| coupon ending in "-x" \| 20\/20 \| 0\/180 \|/);
    expect(res.stdout).toMatch(/- metrics: Prometheus did not answer/);
  });

  it("writes JSON with every finding and the evidence log to -o", async () => {
    const w = world();
    const alertFile = path.join(w.dir, "alert.json");
    writeFileSync(alertFile, JSON.stringify(webhookPayload().alerts[0]));
    const out = path.join(w.dir, "report.json");
    const res = await runCli([
      "investigate",
      "alert",
      "--file",
      alertFile,
      "-f",
      w.file,
      "--json",
      "-o",
      out,
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toBe("");
    const { reports } = JSON.parse(readFileSync(out, "utf8")) as { reports: Report[] };
    expect(reports).toHaveLength(1);
    const report = reports[0] as Report;
    expect(report.suspectChange?.commit).toBe(w.shas[2]);
    expect(report.findings.map((f) => f.analyzer)).toEqual([
      "error-signature",
      "failing-attribute",
      "slo",
      "suspect-change",
      "runbook",
    ]);
    expect(report.evidenceLog.length).toBeGreaterThan(5);
    expect(report.evidence?.commits?.[0]?.subject).toBe("pricing: validate coupon kinds");
    expect(report.evidence?.errorTemplates?.[0]).toEqual({
      template: "ValueError: unknown coupon kind for coupon=<*>",
      countInWindow: 20,
      countBefore: 0,
    });
  });

  it("pulls active alerts from Alertmanager with the name and label filters and basic auth", async () => {
    const w = world();
    const alert = shopAlert(20_000);
    const requests: { url: string; auth?: string }[] = [];
    const server: Server = createServer((req, res) => {
      requests.push({ url: req.url ?? "", auth: req.headers.authorization });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        JSON.stringify([{ ...alert, status: { state: "active" }, updatedAt: alert.startsAt, receivers: [] }]),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const res = await runCli([
      "investigate",
      "alertmanager",
      "--alertmanager-url",
      url,
      "--alertmanager-alertname",
      "WebErrorRateHigh",
      "--alertmanager-label",
      "severity=page",
      "--alertmanager-username",
      "sre",
      "--alertmanager-password",
      "s3cret",
      "-f",
      w.file,
      "--json",
    ]);
    expect(res.stderr).toContain(`· fetching active alerts from ${url}`);
    expect(res.code).toBe(0);
    const query = new URL(requests[0]?.url ?? "", url).searchParams;
    expect(query.getAll("filter")).toEqual(['alertname="WebErrorRateHigh"', 'severity="page"']);
    expect(requests[0]?.auth).toBe(`Basic ${Buffer.from("sre:s3cret").toString("base64")}`);
    const { reports } = JSON.parse(res.stdout) as { reports: Report[] };
    expect(reports[0]?.cause).toMatch(/^ValueError: unknown coupon kind/);
  });

  it("turns user mistakes into one-line errors", async () => {
    const w = world();
    const bad = path.join(w.dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ version: "4", status: "firing", alerts: [] }));
    const res = await runCli(["investigate", "alert", "--file", bad, "-f", w.file]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toMatch(/^fixloop: .*bad\.json: alerts: /);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);

    mkdirSync(path.join(w.dir, "managed"));
    const managed = writeTinyWorld(
      path.join(w.dir, "managed"),
      { web: {} },
      {
        monitoring: { prometheus: { mode: "managed" }, alertmanager: { mode: "managed" } },
      },
    );
    const notUp = await runCli(["investigate", "alertmanager", "-f", managed]);
    expect(notUp.code).toBe(2);
    expect(notUp.stderr).toMatch(
      /^fixloop: no --alertmanager-url given and .*fixloop\.yaml's world is not up/,
    );

    const badLabel = await runCli([
      "investigate",
      "alertmanager",
      "-f",
      w.file,
      "--alertmanager-url",
      "http://127.0.0.1:9",
      "--alertmanager-label",
      "oops",
    ]);
    expect(badLabel.stderr).toMatch(/^fixloop: --alertmanager-label oops: expected k=v/);

    // Without --alertmanager-url, the manifest's external Alertmanager is asked.
    const unreachable = await runCli(["investigate", "alertmanager", "-f", w.file]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/fixloop: cannot reach Alertmanager at http:\/\/127\.0\.0\.1:9/);
  });
});
