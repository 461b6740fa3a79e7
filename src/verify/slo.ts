import { type SloCondition, violates } from "./conditions.js";
import { type Evidence, errorCount, latencies, type SideEvidence } from "./evidence.js";
import { discordance } from "./pairs.js";
import { quantileEstimate, rateEstimate } from "./signals.js";
import { mannWhitneyU, mcnemarExact } from "./stats.js";
import type { Estimate, SloResult, TestResult } from "./verdict.js";

export interface SloContext {
  /** Two-sided confidence of the bounds; each bound holds at (1 + confidence) / 2. */
  confidence: number;
  /** Level for the improvement test (patched better than baseline). */
  alpha: number;
}

/**
 * Judges the SLO on each side. The patched side clears it only when the confidence bound on the
 * safe side is within the threshold (for `p99_ms > 300`: the order-statistic upper bound of p99 is
 * ≤ 300; with too few requests there is no bound, so it cannot clear yet). The baseline reproduces
 * the violation when its point estimate violates.
 */
export function evaluateSlo(slo: SloCondition, evidence: Evidence, ctx: SloContext): SloResult {
  const highIsBad = slo.comparator === ">" || slo.comparator === ">=";
  const safeBound = (e: Estimate) => (highIsBad ? e.upper : e.lower);
  const farBound = (e: Estimate) => (highIsBad ? e.lower : e.upper);
  const within = (bound: number | undefined) => bound !== undefined && !violates(bound, slo);

  const base = estimate(slo, evidence.baseline, evidence, ctx.confidence);
  const patched = estimate(slo, evidence.patched, evidence, ctx.confidence);
  const baselineStatus = !base
    ? "undetermined"
    : violates(base.value, slo)
      ? "reproduced"
      : within(safeBound(base))
        ? "healthy"
        : "undetermined";
  const bound = patched && farBound(patched);
  const patchedStatus = !patched
    ? "undetermined"
    : within(safeBound(patched))
      ? "cleared"
      : violates(patched.value, slo) && bound !== undefined && violates(bound, slo)
        ? "violated"
        : "undetermined";
  return {
    condition: slo.text,
    signal: slo.signal,
    comparator: slo.comparator,
    threshold: slo.threshold,
    unit: slo.target.kind === "error_rate" ? "ratio" : "ms",
    baseline: { estimate: base, status: baselineStatus },
    patched: { estimate: patched, status: patchedStatus },
    improvement: improvement(slo, evidence, highIsBad, ctx.alpha),
  };
}

function estimate(
  slo: SloCondition,
  side: SideEvidence,
  evidence: Evidence,
  confidence: number,
): Estimate | undefined {
  if (slo.target.kind === "error_rate")
    return rateEstimate(errorCount(side), side.outcomes.length, confidence);
  const sample = latencies(side, evidence.timeoutMs);
  return sample.length ? quantileEstimate(sample, slo.target.quantile, confidence) : undefined;
}

/** One-sided test that the patched side moved away from the violation. */
function improvement(
  slo: SloCondition,
  evidence: Evidence,
  highIsBad: boolean,
  alpha: number,
): TestResult | undefined {
  if (slo.target.kind === "error_rate") {
    const { b, c } = discordance(evidence);
    const m = mcnemarExact(b, c);
    const pValue = highIsBad ? m.pPatchedBetter : m.pPatchedWorse;
    return {
      test: `exact McNemar, one-sided (patched fails ${highIsBad ? "less" : "more"})`,
      pValue,
      alpha,
      significant: pValue < alpha,
      statistics: { b, c },
    };
  }
  const x = latencies(evidence.baseline, evidence.timeoutMs);
  const y = latencies(evidence.patched, evidence.timeoutMs);
  if (!x.length || !y.length) return undefined;
  const mw = mannWhitneyU(x, y);
  const pValue = highIsBad ? mw.pLess : mw.pGreater;
  return {
    test: `Mann-Whitney U (${mw.method}), one-sided (patched ${highIsBad ? "faster" : "slower"})`,
    pValue,
    alpha,
    significant: pValue < alpha,
    statistics: { u: mw.u, z: mw.z },
  };
}
