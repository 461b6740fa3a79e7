import type { WatchSpec } from "../conditions.js";
import type { Evidence } from "../evidence.js";
import type { WatchResult } from "../verdict.js";

export interface WatchContext {
  evidence: Evidence;
  /** Level of this watch entry's test (already Bonferroni-shared across looks and entries). */
  alpha: number;
}

/** Compares one watched signal between baseline and patched with the test that fits it. */
export type WatchComparator = (spec: WatchSpec, ctx: WatchContext) => WatchResult;

/** The worst status of several: regressed over undetermined over ok. */
export function worstStatus(results: readonly Pick<WatchResult, "status">[]): WatchResult["status"] {
  if (results.some((r) => r.status === "regressed")) return "regressed";
  if (results.some((r) => r.status === "undetermined")) return "undetermined";
  return "ok";
}
