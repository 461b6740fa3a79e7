import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { investigate } from "../../src/investigate/engine.js";
import { loadManifest } from "../../src/manifest/load.js";
import { LocalRuntime } from "../../src/runtime/local.js";
import { UserError } from "../../src/util/errors.js";
import { REDACTED } from "../../src/util/redact.js";
import { tempDir } from "../helpers/tmp.js";
import {
  accessLine,
  incidentLog,
  iso,
  type ShopWorld,
  shopAlert,
  shopHistory,
  shopV1,
  shopWorld,
} from "./fixtures.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

function world(log: string, commits = shopHistory(), extra: Record<string, unknown> = {}): ShopWorld {
  const t = tempDir("fixloop-investigate-");
  cleanups.push(t.cleanup);
  return shopWorld(t.dir, log, commits, extra);
}

async function run(w: ShopWorld, alert = shopAlert(20_000)) {
  const envm = loadManifest(w.file);
  return investigate(alert, envm, new LocalRuntime(envm));
}

describe("investigate (logs and git, Prometheus down)", () => {
  it("names the exception, the failing attribute and the planted commit, and says what Prometheus being down costs", async () => {
    const log = incidentLog(60_000, 200).replace(
      "unhandled error in POST /order",
      "unhandled error in POST /order (client tok-7f3a9c1e55)",
    );
    const w = world(log);
    const report = await run(w);

    expect(report.errorSignature).toMatchObject({
      template: "ValueError: unknown coupon kind for coupon=<*>",
      exceptionType: "ValueError",
      countInWindow: 20,
    });
    expect(report.errorSignature?.frames[0]).toMatchObject({ file: "/srv/app/shop/pricing.py", line: 4 });
    expect(report.failingAttributes[0]).toMatchObject({
      trait: 'coupon ending in "-x"',
      failing: 20,
      succeeding: 0,
    });
    expect(report.suspectChange).toMatchObject({
      commit: w.shas[2],
      subject: "pricing: validate coupon kinds",
      author: "Alan Turing",
      file: "shop/pricing.py",
      line: 4,
      files: ["shop/pricing.py"],
    });
    expect(report.suspectChange?.reason).toMatch(
      /git blame of the line that raised \(shop\/pricing\.py:4 in total\)/,
    );
    expect(report.suspectChange?.hunk).toContain(
      '+        raise ValueError(f"unknown coupon kind for coupon={coupon}")',
    );
    expect(report.slo).toMatchObject({ signal: "error_rate", threshold: 0.05, value: 0.1 });
    expect(report.slo?.description).toBe("error rate 10% against a 5% SLO (2.0× the threshold)");
    expect(report.requestLog).toEqual({ total: 200, failing: 20, byStatus: { "200": 180, "500": 20 } });

    expect(report.cause).toMatch(
      /^ValueError: unknown coupon kind for coupon=c\d+-x in shop\/pricing\.py:4, for requests with coupon ending in "-x"$/,
    );
    expect(report.recommendation).toMatch(
      new RegExp(
        `^Revert the hunk of ${w.shas[2]?.slice(0, 10)} \\("pricing: validate coupon kinds"\\) in shop/pricing.py, or handle the failing case \\(coupon ending in "-x"\\): ValueError`,
      ),
    );
    expect(report.summary).toMatch(/^WebErrorRateHigh fires for web: error rate 10% against a 5% SLO/);

    // Prometheus is down: said plainly, and the confidence pays for it.
    expect(report.missingEvidence.join("\n")).toMatch(
      /metrics: Prometheus did not answer: cannot reach Prometheus at http:\/\/127\.0\.0\.1:9.*confidence −15%/,
    );
    expect(report.downstream).toEqual([]);
    expect(report.confidence).toBeGreaterThan(0.5);
    expect(report.confidence).toBeLessThan(0.85);
    const failedQuery = report.evidenceLog.find((r) => r.source === "metrics");
    expect(failedQuery).toMatchObject({ ok: false });

    // Every command was recorded; the secret never reaches the report.
    const actions = report.evidenceLog.map((r) => r.action);
    expect(actions).toContain("runtime.readLogs(web, 8388608 bytes)");
    expect(actions.some((a) => /git -C .* blame --porcelain -L4,4 -- shop\/pricing\.py/.test(a))).toBe(true);
    expect(report.errorSignature?.sample).toContain("(client [REDACTED])");
    expect(JSON.stringify(report)).not.toContain("tok-7f3a9c1e55");
  });

  it("says the cause is not determined when the logs carry no error signature", async () => {
    const lines: string[] = [];
    for (let i = 0; i < 100; i++)
      lines.push(accessLine(60_000 - i * 500, `c${i}-${i % 10 === 0 ? "x" : "a"}`, i % 10 === 0 ? 500 : 200));
    const w = world(`${lines.join("\n")}\n`);
    const report = await run(w);

    expect(report.errorSignature).toBeUndefined();
    expect(report.suspectChange).toBeUndefined();
    expect(report.cause).toBeUndefined();
    expect(report.summary).toMatch(/The cause is not determined from the evidence \(low confidence\)/);
    expect(report.recommendation).toMatch(/^Cause not determined/);
    expect(report.confidence).toBeLessThanOrEqual(0.2);
    expect(report.findings.find((f) => f.analyzer === "error-signature")?.title).toBe(
      "No error signature: no error-level entries or exceptions in the alert window",
    );
    // The failing requests are still described: evidence without a claimed cause.
    expect(report.failingAttributes[0]?.trait).toBe('coupon ending in "-x"');
  });

  it("does not call a chronic error the cause: same rate long before the window", async () => {
    // 20 minutes of the same failures; the window is the last ~80 s.
    const w = world(incidentLog(20 * 60_000, 2400));
    const report = await run(w);

    expect(report.errorSignature).toBeUndefined();
    expect(report.cause).toBeUndefined();
    const finding = report.findings.find((f) => f.analyzer === "error-signature");
    expect(finding?.title).toBe("No clear error signature");
    expect(finding?.detail).toMatch(/at a similar rate before the window \(\d+ times\): a chronic error/);
    expect(report.confidence).toBeLessThanOrEqual(0.2);
  });

  it("names no suspect change when the failing stack does not match the repo, and lowers confidence", async () => {
    // The repo never had the raising code: what ran is not this history.
    const w = world(incidentLog(60_000, 200), [
      { files: shopV1, message: "Initial shop", ageSeconds: 86_400 },
    ]);
    const report = await run(w);
    const withSuspect = await run(world(incidentLog(60_000, 200)));

    expect(report.errorSignature?.exceptionType).toBe("ValueError");
    expect(report.suspectChange).toBeUndefined();
    const finding = report.findings.find((f) => f.analyzer === "suspect-change");
    expect(finding?.title).toBe("No suspect change found");
    expect(finding?.detail).toMatch(
      /^The repo does not match the running code: the trace shows `raise ValueError\(.*\)` at shop\/pricing\.py:4 in total, the repo has nothing there; no line can be blamed\./,
    );
    expect(report.recommendation).toMatch(
      /^Handle the failing case \(coupon ending in "-x"\): ValueError: .* no suspect change was found/,
    );
    expect(report.confidence).toBeLessThan(withSuspect.confidence);
  });

  it("finds the suspect change of an error logged without a stack by the source line that prints it", async () => {
    const history = shopHistory();
    history.push({
      files: {
        "shop/app.py": [
          "import logging",
          "import pricing",
          "",
          "log = logging.getLogger('web')",
          "",
          "",
          "def handle(order):",
          "    if order.get('coupon', '').endswith('-x'):",
          '        log.error("order failed for coupon=%s: pricing rejected the coupon kind", order["coupon"])',
          "        return 502",
          "    return pricing.total(order)",
          "",
        ].join("\n"),
      },
      message: "app: turn coupon rejections into 502",
      ageSeconds: 600,
      author: "Barbara Liskov",
    });
    const lines: string[] = [];
    for (let i = 0; i < 100; i++) {
      const failing = i % 10 === 3;
      const coupon = failing ? `c${i}-x` : `c${i}-a`;
      if (failing)
        lines.push(
          `${iso(60_000 - i * 500)} ERROR web order failed for coupon=${coupon}: pricing rejected the coupon kind`,
        );
      lines.push(accessLine(60_000 - i * 500, coupon, failing ? 502 : 200));
    }
    const w = world(`${lines.join("\n")}\n`, history);
    const report = await run(w);

    expect(report.errorSignature).toMatchObject({
      template: "order failed for coupon=<*>: pricing rejected the coupon kind",
      frames: [],
    });
    expect(report.errorSignature?.message).toMatch(
      /^order failed for coupon=c\d+-x: pricing rejected the coupon kind$/,
    );
    expect(report.suspectChange).toMatchObject({ commit: w.shas[3], file: "shop/app.py", line: 9 });
    expect(report.suspectChange?.reason).toMatch(/^git blame of the line printing ".+" \(shop\/app\.py:9\)$/);
  });

  it("investigates an alert missing from the manifest through its labels, and refuses one it cannot place", async () => {
    const w = world(incidentLog(60_000, 200));
    const report = await run(
      w,
      shopAlert(20_000, { name: "Unlisted", labels: { alertname: "Unlisted", job: "web" } }),
    );
    expect(report.service).toBe("web");
    expect(report.summary).toMatch(
      /^Unlisted fires for web \(Unlisted is not in the manifest's alerts; service found from its label job="web"\)/,
    );
    // No SLO in the manifest: the expression's threshold stands in.
    expect(report.slo).toMatchObject({ signal: "value", comparator: ">", threshold: 0.05 });
    expect(report.suspectChange?.commit).toBe(w.shas[2]);

    await expect(
      run(w, shopAlert(20_000, { name: "Nowhere", labels: { alertname: "Nowhere", job: "db" } })),
    ).rejects.toThrow(UserError);
  });

  it("redacts secrets from every part of the report, runbook steps included", async () => {
    const w = world(incidentLog(60_000, 200), shopHistory(), { runbooks: "runbooks" });
    mkdirSync(path.join(w.dir, "runbooks"));
    writeFileSync(
      path.join(w.dir, "runbooks", "orders.md"),
      "---\nalerts: [WebErrorRateHigh]\n---\n# Orders failing\n\n1. Log in with password=hunter2-orders\n2. Call the API with tok-7f3a9c1e55\n",
    );
    const report = await run(w);
    expect(report.runbook?.steps).toEqual([
      `Log in with password=${REDACTED}`,
      `Call the API with ${REDACTED}`,
    ]);
    const text = JSON.stringify(report);
    expect(text).not.toContain("hunter2-orders");
    expect(text).not.toContain("tok-7f3a9c1e55");
  });

  it("cites the runbook matched by its front matter", async () => {
    const w = world(incidentLog(60_000, 200), shopHistory(), { runbooks: "runbooks" });
    mkdirSync(path.join(w.dir, "runbooks"));
    writeFileSync(path.join(w.dir, "runbooks", "generic.md"), "# Web notes\n\n1. Look around\n");
    writeFileSync(
      path.join(w.dir, "runbooks", "orders.md"),
      "---\nalerts: [WebErrorRateHigh]\n---\n# Orders failing\n\n## Steps\n\n1. Check the coupon service\n2. Roll back the last deploy\n   if it touched pricing\n",
    );
    const report = await run(w);
    expect(report.runbook).toEqual({
      path: "orders.md",
      title: "Orders failing",
      steps: ["Check the coupon service", "Roll back the last deploy if it touched pricing"],
    });
    expect(report.recommendation).toMatch(/Runbook: Orders failing \(orders\.md\)\.$/);
  });
});
