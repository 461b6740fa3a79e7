import type { SloCondition, WatchSpec } from "./conditions.js";
import { type Decision, type DecisionInput, decide } from "./decide.js";
import type { Evidence } from "./evidence.js";
import { changedRequests } from "./pairs.js";
import { evaluateSlo } from "./slo.js";
import type { ErrorSignature } from "./verdict.js";
import { watchComparators } from "./watch/registry.js";

/** Cumulative requests per side at each look: the initial batch, doubling up to the cap. */
export function batchSizes(initial: number, max: number): number[] {
  const sizes = [Math.min(initial, max)];
  for (let last = sizes[0] as number; last < max; ) {
    last = Math.min(max, last * 2);
    sizes.push(last);
  }
  return sizes;
}

/** How the family error level is shared out: per look at the data, and per watch test within a look. */
export interface AlphaBudget {
  family: number;
  looks: number;
  perLook: number;
  perWatchTest: number;
}

/**
 * Bonferroni shares of `family`: each of the `looks` (batches of the adaptive extension) gets an
 * equal part, and within a look each tested watch entry (crash and RSS have no test) gets one.
 */
export function alphaBudget(family: number, looks: number, watch: readonly WatchSpec[]): AlphaBudget {
  const tested = watch.filter((w) => w.target.kind !== "crash" && w.target.kind !== "rss_mb").length;
  const perLook = family / looks;
  return { family, looks, perLook, perWatchTest: perLook / Math.max(1, tested) };
}

/** SLO, watchlist and changed requests of the evidence so far, and the verdict they lead to. */
export function analyze(
  evidence: Evidence,
  slo: SloCondition,
  watch: readonly WatchSpec[],
  alpha: AlphaBudget,
  atCap: boolean,
  newErrors: ErrorSignature[] = [],
): { input: DecisionInput; decision: Decision } {
  const input: DecisionInput = {
    // SLO bounds are one-sided at perLook: two-sided intervals at 1 − 2·perLook.
    slo: evaluateSlo(slo, evidence, { confidence: 1 - 2 * alpha.perLook, alpha: alpha.perLook }),
    watch: watch.map((spec) =>
      watchComparators[spec.target.kind](spec, { evidence, alpha: alpha.perWatchTest }),
    ),
    evidence,
    atCap,
    newlyFailing: changedRequests(evidence, "newly-failing"),
    newErrors,
  };
  return { input, decision: decide(input) };
}
