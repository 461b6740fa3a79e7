import { describe, expect, it } from "vitest";
import type { AnalysisContext, Evidence } from "../../src/investigate/analyzers/analyzer.js";
import { downstreamAnalyzer } from "../../src/investigate/analyzers/downstream.js";
import { failingAttributeAnalyzer } from "../../src/investigate/analyzers/failing-attribute.js";
import { sloAnalyzer } from "../../src/investigate/analyzers/slo.js";
import type { LogEntry } from "../../src/investigate/evidence/logs.js";
import type { DownstreamMetrics, MetricsEvidence } from "../../src/investigate/evidence/metrics.js";
import { manifestSchema, type ServiceSpec } from "../../src/manifest/schema.js";
import { seededRandom } from "../../src/util/prng.js";
import { shopAlert } from "./fixtures.js";

const missing = { available: false as const, reason: "not gathered in this test" };

function spec(extra: Record<string, unknown> = {}): ServiceSpec {
  const m = manifestSchema.parse({
    version: 1,
    name: "t",
    services: {
      pricing: { command: ["true"] },
      web: {
        command: ["true"],
        logs: { access: { marker: " access ", attributes: ["item_id", "quantity"] } },
        ...extra,
      },
    },
    monitoring: {
      prometheus: { mode: "external", url: "http://127.0.0.1:9" },
      alertmanager: { mode: "external", url: "http://127.0.0.1:9" },
    },
  });
  return m.services.web as ServiceSpec;
}

function context(
  evidence: Partial<Evidence>,
  serviceSpec = spec(),
  slo = "error_rate > 0.05",
): AnalysisContext {
  const alertEvidence = {
    window: { start: new Date(0), end: new Date(60_000), beforeStart: new Date(-600_000) },
    notes: [],
    threshold: { signal: "x", comparator: ">" as const, threshold: 0.05 },
  };
  return {
    alert: shopAlert(0),
    service: "web",
    spec: serviceSpec,
    alertSpec: {
      service: "web",
      slo,
      watch: [],
      traffic: { requests: [{ method: "GET", path: "/", headers: {}, weight: 1 }], vars: {} },
    },
    evidence: {
      alert: alertEvidence,
      metrics: missing,
      logs: missing,
      state: missing,
      source: missing,
      runbooks: missing,
      ...evidence,
    },
    conclusions: { failingAttributes: [], downstream: [] },
  };
}

function logsOf(lines: string[]): Evidence["logs"] {
  const inWindow: LogEntry[] = lines.map((text, i) => ({ time: i, text }));
  return {
    available: true,
    value: {
      action: "read",
      inWindow,
      before: [],
      beforeMs: 0,
      windowMs: 60_000,
      untimed: 0,
      truncated: false,
    },
  };
}

function metricsOf(
  downstreams: DownstreamMetrics[],
  extra: Partial<MetricsEvidence> = {},
): Evidence["metrics"] {
  return { available: true, value: { identity: [], downstreams, notes: [], ...extra } };
}

describe("failing-attribute analyzer", () => {
  it("finds a trait of a middle part of the value (SKU ending in 7) and counts requests by status", async () => {
    const lines: string[] = [];
    for (let sku = 100; sku < 200; sku++) {
      const status = sku % 10 === 7 ? 502 : 200;
      lines.push(
        `2026-11-25T20:00:00Z INFO web access item_id=item-${sku}-${sku % 9} quantity=${1 + (sku % 3)} status=${status}`,
      );
    }
    const result = await failingAttributeAnalyzer.analyze(context({ logs: logsOf(lines) }));
    expect(result.conclusions?.requestLog).toEqual({
      total: 100,
      failing: 10,
      byStatus: { "200": 90, "502": 10 },
    });
    expect(result.conclusions?.failingAttributes?.[0]).toMatchObject({
      attribute: "item_id part 2",
      trait: 'item_id part 2 ending in "7"',
      failing: 10,
      failingTotal: 10,
      succeeding: 0,
      succeedingTotal: 90,
    });
  });

  it("claims nothing when failures are spread evenly, and says when there is no access log to read", async () => {
    const lines: string[] = [];
    const random = seededRandom(7);
    for (let i = 0; i < 200; i++)
      lines.push(`t access item_id=item-${i}-${i % 10} quantity=1 status=${random() < 0.1 ? 500 : 200}`);
    const even = await failingAttributeAnalyzer.analyze(context({ logs: logsOf(lines) }));
    expect(even.conclusions?.failingAttributes).toEqual([]);
    expect(even.findings[0]?.title).toBe("No attribute sets the failing requests apart");

    const noSpec = await failingAttributeAnalyzer.analyze(
      context({ logs: logsOf(lines) }, spec({ logs: {} })),
    );
    expect(noSpec.findings[0]?.title).toMatch(/the manifest has no logs.access for this service/);
  });
});

describe("slo analyzer", () => {
  it("states the measured value against the SLO, converting units, and falls back to the access log", async () => {
    const measured = await sloAnalyzer.analyze(
      context({ metrics: metricsOf([], { signal: { expr: "e", value: 0.104, labels: {} } }) }),
    );
    expect(measured.conclusions?.slo?.description).toBe(
      "error rate 10.4% against a 5% SLO (2.1× the threshold)",
    );

    const latency = context(
      { metrics: metricsOf([], { signal: { expr: "p99", value: 0.412, labels: {} } }) },
      spec(),
      "p99_ms > 300",
    );
    latency.evidence.alert.threshold = { signal: "p99", comparator: ">", threshold: 0.3 };
    expect((await sloAnalyzer.analyze(latency)).conclusions?.slo?.description).toBe(
      "p99 412 ms against a 300 ms SLO (1.4× the threshold)",
    );

    const fromLog = context({});
    fromLog.conclusions = {
      failingAttributes: [],
      downstream: [],
      requestLog: { total: 40, failing: 3, byStatus: {} },
    };
    const result = await sloAnalyzer.analyze(fromLog);
    expect(result.conclusions?.slo).toMatchObject({
      value: 0.075,
      description: "error rate 7.5% against a 5% SLO (1.5× the threshold)",
    });
    expect(result.findings[0]?.detail).toBe(
      "Measured by the access log: 3 of 40 requests in the window failed.",
    );

    const unknown = await sloAnalyzer.analyze(context({}));
    expect(unknown.conclusions?.slo?.description).toBe(
      "error rate unknown (not gathered in this test); the alert fires on 5% (the SLO)",
    );
  });
});

describe("downstream analyzer", () => {
  const withDeps = spec({ dependsOn: { pricing: "PRICING_URL" } });
  const judge = async (m: DownstreamMetrics | undefined, metrics?: Partial<MetricsEvidence>) =>
    (await downstreamAnalyzer.analyze(context({ metrics: metricsOf(m ? [m] : [], metrics) }, withDeps)))
      .conclusions?.downstream?.[0];

  it("tells a failing dependency from one rejecting our calls, a slow one, and a healthy one", async () => {
    const failing = await judge({
      service: "pricing",
      own: { selector: "s", requestRate: 10, errorRatio: 0.2 },
      calls: { metric: "m", rate: 10, failedRatio: 0.2, byStatus: { "200": 8, "503": 2 } },
    });
    expect(failing).toMatchObject({ verdict: "degraded", errorRate: 0.2, callFailureRate: 0.2 });
    expect(failing?.description).toMatch(
      /Pricing is failing on its side: the cause may be upstream of web\.$/,
    );

    const rejecting = await judge({
      service: "pricing",
      own: { selector: "s", requestRate: 10, errorRatio: 0 },
      calls: { metric: "m", rate: 10, failedRatio: 0.1, byStatus: { "200": 9, "404": 1 } },
    });
    expect(rejecting?.verdict).toBe("healthy");
    expect(rejecting?.description).toMatch(
      /rejects 10% of web's calls with 4xx: look at what web sends it, not at pricing\.$/,
    );

    const slow = await judge(
      {
        service: "pricing",
        calls: { metric: "m", rate: 10, failedRatio: 0, byStatus: { "200": 10 }, p99Ms: 280 },
      },
      { latency: { metric: "h", expr: "q", p99Ms: 320 } },
    );
    expect(slow?.verdict).toBe("healthy"); // an error-rate alert: latency is not the question
    const healthy = await judge({
      service: "pricing",
      own: { selector: "s", requestRate: 5, errorRatio: 0 },
    });
    expect(healthy?.description).toMatch(/Pricing looks healthy: the cause is in web\.$/);
    expect(await judge(undefined)).toMatchObject({ verdict: "unknown" });
  });
});
