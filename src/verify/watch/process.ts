import type { WatchSpec } from "../conditions.js";
import { fmtNumber } from "../format.js";
import type { WatchResult } from "../verdict.js";
import type { WatchContext } from "./comparator.js";

/** The patched candidate died during the run while the baseline did not. Always watched. */
export function compareCrash(spec: WatchSpec, ctx: WatchContext): WatchResult {
  const { baseline, patched } = ctx.evidence;
  const status = baseline.crashed ? "undetermined" : patched.crashed ? "regressed" : "ok";
  const summary = baseline.crashed
    ? "the baseline candidate died during the run"
    : patched.crashed
      ? "the patched candidate died during the run; the baseline kept running"
      : "both candidates ran to the end";
  return { spec: spec.text, signal: "crash", unit: "", status, summary };
}

/**
 * Peak resident memory (`rss_mb`). One process per side gives one measurement each, so there is no
 * test: a regression is a peak above the baseline's by more than the tolerance.
 */
export function compareRss(spec: WatchSpec, ctx: WatchContext): WatchResult {
  const mb = (bytes: number | undefined) => (bytes === undefined ? undefined : bytes / 1048576);
  const base = mb(ctx.evidence.baseline.peakRssBytes);
  const patched = mb(ctx.evidence.patched.peakRssBytes);
  if (base === undefined || patched === undefined) {
    return {
      spec: spec.text,
      signal: spec.signal,
      unit: "MiB",
      status: "undetermined",
      summary: "RSS not measured",
    };
  }
  const tolerance = spec.relative ? spec.tolerance * base : spec.tolerance;
  const change = patched - base;
  return {
    spec: spec.text,
    signal: spec.signal,
    unit: "MiB",
    baseline: base,
    patched,
    change: { value: change, interval: "single measurement per side" },
    tolerance,
    status: change > tolerance ? "regressed" : "ok",
    summary: `peak RSS ${fmtNumber(base)} → ${fmtNumber(patched)} MiB (tolerance +${fmtNumber(tolerance)} MiB)`,
  };
}
