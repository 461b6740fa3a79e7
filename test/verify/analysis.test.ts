import { describe, expect, it } from "vitest";
import { seededRandom } from "../../src/util/prng.js";
import { alphaBudget, analyze, batchSizes } from "../../src/verify/analysis.js";
import { parseSlo, watchList } from "../../src/verify/conditions.js";
import type { Evidence, SideEvidence } from "../../src/verify/evidence.js";
import type { DownstreamCall } from "../../src/verify/proxy.js";
import type { Outcome } from "../../src/verify/replay.js";
import type { PlannedRequest } from "../../src/verify/traffic.js";

/**
 * The verdict rules on evidence built here: a request mix of 10 shapes (shape 3 is the bug) and
 * latencies drawn from a fixed seed, so every number below is deterministic.
 */
const errorSlo = parseSlo("error_rate > 0.05");
const watch = watchList(["p99_ms:+50%", "p50_ms:+50%", "downstream_error_rate:+0.02"], []);
const alpha = alphaBudget(0.05, batchSizes(100, 1000).length, watch);

type Behaviour = (req: PlannedRequest, random: () => number) => Outcome;

const ok =
  (extraMs = 0): Behaviour =>
  (_req, random) => ({ status: 200, latencyMs: 100 + 50 * random() + extraMs });
const failsShape =
  (shapes: string[], extraMs = 0): Behaviour =>
  (req, random) => ({
    status: shapes.includes(req.vars.shape ?? "") ? 500 : 200,
    latencyMs: 100 + 50 * random() + extraMs,
  });

function requests(n: number): PlannedRequest[] {
  return Array.from({ length: n }, (_, index) => {
    const vars = { sku: String(100 + ((index * 7) % 50)), shape: String(index % 10) };
    const body = `{"item_id": "item-${vars.sku}-${vars.shape}"}`;
    return {
      index,
      template: 0,
      method: "POST",
      path: "/buy",
      headers: {},
      body,
      vars,
      description: `POST /buy ${body}`,
    };
  });
}

function side(
  reqs: PlannedRequest[],
  behaviour: Behaviour,
  seed: number,
  extra: Partial<SideEvidence> = {},
): SideEvidence {
  const random = seededRandom(seed);
  const outcomes = reqs.map((r) => behaviour(r, random));
  const calls: DownstreamCall[] = outcomes.map((o) => ({ status: 200, latencyMs: o.latencyMs - 5 }));
  return { outcomes, downstream: { pricing: calls }, crashed: false, replayMs: 10_000, ...extra };
}

function evidence(
  n: number,
  baseline: Behaviour,
  patched: Behaviour,
  tweak: (e: Evidence) => void = () => {},
): Evidence {
  const reqs = requests(n);
  const e: Evidence = {
    requests: reqs,
    timeoutMs: 5000,
    downstreams: [{ name: "pricing", envVar: "PRICING_URL", url: "http://127.0.0.1:1" }],
    baseline: side(reqs, baseline, 1),
    patched: side(reqs, patched, 2),
  };
  tweak(e);
  return e;
}

describe("verdict rules", () => {
  it("passes a fix: baseline reproduces, patched clears with confidence, nothing regresses", () => {
    const { decision, input } = analyze(
      evidence(100, failsShape(["3"]), ok()),
      errorSlo,
      watch,
      alpha,
      false,
    );
    expect(decision).toMatchObject({ outcome: "PASS", decisive: true });
    expect(decision.reasons[0]?.code).toBe("slo-cleared");
    expect(input.slo.baseline).toMatchObject({ status: "reproduced", estimate: { value: 0.1 } });
    // 0 of 100 with a one-sided 99% bound: 1 − 0.01^(1/100) ≈ 4.5% < 5%.
    expect(input.slo.patched.estimate?.upper).toBeCloseTo(1 - 0.01 ** (1 / 100), 6);
    expect(input.slo.patched.status).toBe("cleared");
    expect(input.watch.map((w) => w.status)).toEqual(["ok", "ok", "ok", "ok", "ok"]);
  });

  it("rejects when the patched side still violates the SLO", () => {
    const { decision, input } = analyze(
      evidence(100, failsShape(["3", "8"]), failsShape(["3", "8"])),
      errorSlo,
      watch,
      alpha,
      false,
    );
    expect(decision).toMatchObject({ outcome: "REJECT", decisive: true });
    expect(decision.reasons[0]?.code).toBe("slo-violated");
    expect(input.slo.patched.estimate?.lower).toBeGreaterThan(0.05);
  });

  it("is inconclusive when the baseline is healthy: the bug was not reproduced", () => {
    const { decision, input } = analyze(evidence(100, ok(), ok()), errorSlo, watch, alpha, false);
    expect(decision).toMatchObject({ outcome: "INCONCLUSIVE", decisive: true });
    expect(decision.reasons[0]?.code).toBe("not-reproduced");
    expect(input.slo.baseline.status).toBe("healthy");
  });

  it("rejects a patch that fixes one kind of request and breaks another, naming the new failures", () => {
    // Over all requests the fixes (shape 3) offset the breakage (shape 8): only the strata show it.
    const { decision, input } = analyze(
      evidence(200, failsShape(["3"]), failsShape(["8"])),
      errorSlo,
      watch,
      alpha,
      false,
    );
    expect(decision.outcome).toBe("REJECT");
    const errorRate = input.watch.find((w) => w.signal === "error_rate");
    expect(errorRate?.status).toBe("regressed");
    expect(errorRate?.subject).toBe("shape=8");
    expect(errorRate?.test?.statistics).toMatchObject({ b: 20, c: 20 });
    const stratum = errorRate?.details?.find((d) => d.subject === "shape=8");
    expect(stratum?.test?.statistics).toMatchObject({ b: 20, c: 0, n: 20 });
    expect(stratum?.test?.pValue).toBeCloseTo(0.5 ** 20, 12);
    expect(input.newlyFailing.total).toBe(20);
    expect(input.newlyFailing.sharedValues[0]).toEqual({
      variable: "shape",
      value: "8",
      changed: 20,
      total: 20,
    });
    expect(
      input.newlyFailing.groups.every((g) => g.description.endsWith('-8"}') && g.patched === "500"),
    ).toBe(true);
    expect(decision.reasons.map((r) => r.message).join("\n")).toMatch(
      /20 request\(s\) succeed on the baseline and fail patched/,
    );
  });

  it("rejects a fix that adds 300 ms, on the latency location shift", () => {
    const { decision, input } = analyze(
      evidence(100, failsShape(["3"]), ok(300)),
      errorSlo,
      watch,
      alpha,
      false,
    );
    expect(decision.outcome).toBe("REJECT");
    expect(input.slo.patched.status).toBe("cleared");
    const p50 = input.watch.find((w) => w.signal === "p50_ms");
    expect(p50?.status).toBe("regressed");
    expect(p50?.change?.value).toBeGreaterThan(280);
    expect(p50?.change?.value).toBeLessThan(320);
    expect(p50?.test?.pValue).toBeLessThan(1e-12);
    expect(decision.reasons[0]?.message).toMatch(/^p99_ms:\+50% regressed/);
  });

  it("tolerates a slowdown within the watch tolerance", () => {
    const { decision, input } = analyze(
      evidence(400, failsShape(["3"]), ok(10)),
      errorSlo,
      watch,
      alpha,
      false,
    );
    const p50 = input.watch.find((w) => w.signal === "p50_ms");
    expect(p50?.test?.significant).toBe(true); // real, but +10 ms is inside the +62 ms tolerance
    expect(p50?.status).toBe("ok");
    expect(decision.outcome).toBe("PASS");
  });

  it("catches a slowdown confined to the tail with the quantile bounds", () => {
    const slowTail: Behaviour = (req, random) => ({
      status: 200,
      latencyMs: (req.index % 20 === 0 ? 550 : 100) + 50 * random(),
    });
    const { input } = analyze(evidence(800, failsShape(["3"]), slowTail), errorSlo, watch, alpha, false);
    const p99 = input.watch.find((w) => w.signal === "p99_ms");
    const p50 = input.watch.find((w) => w.signal === "p50_ms");
    expect(p50?.status).toBe("ok");
    expect(p99?.status).toBe("regressed");
    expect(p99?.summary).toMatch(/patched p99 ≥ 5\d\d ms vs baseline ≤ 1\d\d ms/);
  });

  it("cannot bound p99 from 100 requests: extends, then is inconclusive at the cap, and passes with enough", () => {
    const slo = parseSlo("p99_ms > 300");
    const slowBaseline: Behaviour = (req, random) => ({
      status: 200,
      latencyMs: (req.vars.shape === "3" ? 400 : 100) + 50 * random(),
    });
    const early = analyze(evidence(100, slowBaseline, ok()), slo, watch, alpha, false);
    expect(early.input.slo.patched.estimate?.upper).toBeUndefined();
    expect(early.input.slo.patched.status).toBe("undetermined");
    expect(early.decision.decisive).toBe(false);
    const capped = analyze(evidence(100, slowBaseline, ok()), slo, watch, alpha, true);
    expect(capped.decision).toMatchObject({ outcome: "INCONCLUSIVE", decisive: true });
    expect(capped.decision.reasons[0]?.code).toBe("insufficient-evidence");
    // A one-sided 99% order-statistic bound on p99 needs 0.99^n ≤ 0.01: n ≥ 459.
    const enough = analyze(evidence(800, slowBaseline, ok()), slo, watch, alpha, false);
    expect(enough.input.slo.patched.status).toBe("cleared");
    expect(enough.decision.outcome).toBe("PASS");
  });

  it("at the cap, rejects a patched side that still violates and is not significantly better", () => {
    // baseline 10/100; patched 7/100: its lower bound is under 5%, and 3 fixes are no proof of improvement.
    const partlyFixed: Behaviour = (req, random) => ({
      status: req.vars.shape === "3" && req.index < 70 ? 500 : 200,
      latencyMs: 100 + 50 * random(),
    });
    const e = evidence(100, failsShape(["3"]), partlyFixed);
    const open = analyze(e, errorSlo, watch, alpha, false);
    expect(open.input.slo.patched.status).toBe("undetermined");
    expect(open.decision.decisive).toBe(false);
    const capped = analyze(e, errorSlo, watch, alpha, true);
    expect(capped.decision.outcome).toBe("REJECT");
    expect(capped.decision.reasons[0]?.message).toMatch(/not significantly better than the baseline/);
  });

  it("is inconclusive when a downstream fails on both sides, whatever the candidates did", () => {
    const down = (e: Evidence) => {
      for (const s of [e.baseline, e.patched])
        s.downstream.pricing = s.outcomes.map((o, i) =>
          i > 30 ? { failure: "connection", latencyMs: 1 } : { status: 200, latencyMs: o.latencyMs },
        );
    };
    const { decision } = analyze(evidence(100, failsShape(["3"]), ok(), down), errorSlo, watch, alpha, false);
    expect(decision).toMatchObject({ outcome: "INCONCLUSIVE", decisive: true });
    expect(decision.reasons[0]?.code).toBe("downstream-unavailable");
    expect(decision.reasons[0]?.message).toMatch(/pricing failed 69% \/ 69% of calls/);
  });

  it("rejects a patched candidate that died; is inconclusive when the baseline died", () => {
    const patchedDied = analyze(
      evidence(100, failsShape(["3"]), ok(), (e) => {
        e.patched.crashed = true;
      }),
      errorSlo,
      watch,
      alpha,
      true,
    );
    expect(patchedDied.decision.outcome).toBe("REJECT");
    expect(patchedDied.decision.reasons[0]?.code).toBe("crash");
    const baselineDied = analyze(
      evidence(100, failsShape(["3"]), ok(), (e) => {
        e.baseline.crashed = true;
      }),
      errorSlo,
      watch,
      alpha,
      true,
    );
    expect(baselineDied.decision.outcome).toBe("INCONCLUSIVE");
  });
});

describe("error budget and batches", () => {
  it("doubles batches up to the cap", () => {
    expect(batchSizes(100, 1000)).toEqual([100, 200, 400, 800, 1000]);
    expect(batchSizes(100, 100)).toEqual([100]);
    expect(batchSizes(300, 1000)).toEqual([300, 600, 1000]);
  });

  it("shares alpha across looks and tested watch entries (crash has no test)", () => {
    expect(watch.map((w) => w.signal)).toEqual([
      "error_rate",
      "p99_ms",
      "p50_ms",
      "downstream_error_rate",
      "crash",
    ]);
    expect(alpha.perLook).toBeCloseTo(0.01, 12);
    expect(alpha.perWatchTest).toBeCloseTo(0.0025, 12);
  });
});
