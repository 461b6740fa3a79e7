import { quantileLabel, type WatchSpec } from "../conditions.js";
import { latencies } from "../evidence.js";
import { fmtMs, fmtP, fmtSignedMs } from "../format.js";
import { percent } from "../signals.js";
import { hodgesLehmannShift, mannWhitneyU, quantile, quantileConfidenceInterval } from "../stats.js";
import type { WatchResult, WatchStatus } from "../verdict.js";
import type { WatchContext } from "./comparator.js";

/**
 * A latency quantile (`pNN_ms:+tolerance`), two ways, either of which is a regression:
 * - location: Mann-Whitney U says patched is slower AND the Hodges-Lehmann shift exceeds the
 *   tolerance (so a statistically real but negligible slowdown is not a regression);
 * - tail: the patched quantile's lower order-statistic bound is above the baseline's upper bound by
 *   more than the tolerance (a slowdown confined to the tail, which barely moves the location).
 * A relative tolerance is a fraction of the baseline's quantile.
 */
export function compareLatency(spec: WatchSpec, ctx: WatchContext): WatchResult {
  if (spec.target.kind !== "latency") throw new Error(`not a latency watch: ${spec.text}`);
  const q = spec.target.quantile;
  const name = quantileLabel(q);
  const { evidence, alpha } = ctx;
  const x = latencies(evidence.baseline, evidence.timeoutMs);
  const y = latencies(evidence.patched, evidence.timeoutMs);
  if (!x.length || !y.length) {
    return {
      spec: spec.text,
      signal: spec.signal,
      unit: "ms",
      tolerance: spec.relative ? undefined : spec.tolerance,
      status: "undetermined",
      summary: `no latency samples on the ${x.length ? "patched" : "baseline"} side`,
    };
  }
  const confidence = 1 - 2 * alpha;
  const baseQ = quantile(x, q);
  const patchedQ = quantile(y, q);
  const tolerance = spec.relative ? spec.tolerance * baseQ : spec.tolerance;
  const mw = mannWhitneyU(x, y);
  const hl = hodgesLehmannShift(x, y, confidence);
  const baseCi = quantileConfidenceInterval(x, q, confidence);
  const patchedCi = quantileConfidenceInterval(y, q, confidence);

  const significant = mw.pGreater < alpha;
  const location = significant && hl.shift > tolerance;
  const tailGap =
    patchedCi.lower && baseCi.upper ? patchedCi.lower.value - baseCi.upper.value : Number.NEGATIVE_INFINITY;
  const tail = tailGap > tolerance;
  let status: WatchStatus = "ok";
  if (location || tail) status = "regressed";
  else if (hl.shift > tolerance || patchedQ - baseQ > tolerance) status = "undetermined";

  const ci =
    hl.lower !== undefined && hl.upper !== undefined
      ? ` (CI ${fmtSignedMs(hl.lower)}..${fmtSignedMs(hl.upper)})`
      : "";
  const tailNote = tail
    ? `; patched ${name} ≥ ${fmtMs(patchedCi.lower?.value)} vs baseline ≤ ${fmtMs(baseCi.upper?.value)}`
    : "";
  return {
    spec: spec.text,
    signal: spec.signal,
    unit: "ms",
    baseline: baseQ,
    patched: patchedQ,
    change: {
      value: hl.shift,
      lower: hl.lower,
      upper: hl.upper,
      interval: `Hodges-Lehmann shift, Moses ${percent(confidence)}`,
    },
    tolerance,
    test: {
      test: `Mann-Whitney U (${mw.method}), one-sided (patched slower)`,
      pValue: mw.pGreater,
      alpha,
      significant,
      statistics: Number.isFinite(tailGap) ? { u: mw.u, z: mw.z, tailGapMs: tailGap } : { u: mw.u, z: mw.z },
    },
    status,
    summary: `${name} ${fmtMs(baseQ)} → ${fmtMs(patchedQ)}; shift ${fmtSignedMs(hl.shift)}${ci}, tolerance ${fmtSignedMs(tolerance)}, Mann-Whitney ${fmtP(mw.pGreater)}${tailNote}`,
  };
}
