import type { WatchSpec } from "../conditions.js";
import { isDownstreamError } from "../evidence.js";
import { fmtNumber, fmtP, fmtPoints, fmtRate } from "../format.js";
import { binomialTailUpper } from "../stats.js";
import type { WatchResult, WatchStatus } from "../verdict.js";
import { type WatchContext, worstStatus } from "./comparator.js";

/**
 * Per downstream, from the recording proxies: the error rate of its calls (`downstream_error_rate`)
 * or the calls per request (`downstream_calls_per_request`). Calls cannot be paired with requests
 * under concurrency, so each side is a count: the test is the exact conditional binomial test for
 * two rates (given x + y events, y ~ Bin(x + y, share of the patched exposure) under equal rates).
 * Bonferroni across downstreams.
 */
export function compareDownstreamErrors(spec: WatchSpec, ctx: WatchContext): WatchResult {
  return perDownstream(spec, ctx, (name) => {
    const b = ctx.evidence.baseline.downstream[name] ?? [];
    const p = ctx.evidence.patched.downstream[name] ?? [];
    return {
      x: b.filter(isDownstreamError).length,
      xExposure: b.length,
      y: p.filter(isDownstreamError).length,
      yExposure: p.length,
      unit: "ratio",
      what: "error rate",
      fmt: fmtRate,
      fmtChange: fmtPoints,
    };
  });
}

export function compareDownstreamCalls(spec: WatchSpec, ctx: WatchContext): WatchResult {
  return perDownstream(spec, ctx, (name) => ({
    x: (ctx.evidence.baseline.downstream[name] ?? []).length,
    xExposure: ctx.evidence.baseline.outcomes.length,
    y: (ctx.evidence.patched.downstream[name] ?? []).length,
    yExposure: ctx.evidence.patched.outcomes.length,
    unit: "calls/request",
    what: "calls per request",
    fmt: (v: number) => fmtNumber(v),
    fmtChange: (v: number) => `${v >= 0 ? "+" : "−"}${fmtNumber(Math.abs(v))}`,
  }));
}

interface Counts {
  /** Events and exposure (calls, or requests) on the baseline (x) and patched (y) sides. */
  x: number;
  xExposure: number;
  y: number;
  yExposure: number;
  unit: string;
  what: string;
  fmt: (v: number) => string;
  fmtChange: (v: number) => string;
}

function perDownstream(
  spec: WatchSpec,
  ctx: WatchContext,
  counts: (downstream: string) => Counts,
): WatchResult {
  const downstreams = ctx.evidence.downstreams;
  const alpha = ctx.alpha / Math.max(1, downstreams.length);
  const details = downstreams.map((d) => judge(spec, d.name, counts(d.name), alpha));
  const status = worstStatus(details);
  const worst = details.find((d) => d.status === status) ?? details[0];
  if (!worst) {
    return {
      spec: spec.text,
      signal: spec.signal,
      unit: "",
      tolerance: 0,
      status: "ok",
      summary: "no downstreams",
    };
  }
  return { ...worst, status, details: details.length > 1 ? details : undefined };
}

function judge(spec: WatchSpec, subject: string, c: Counts, alpha: number): WatchResult {
  const base = c.xExposure ? c.x / c.xExposure : 0;
  const patched = c.yExposure ? c.y / c.yExposure : 0;
  const change = patched - base;
  const tolerance = spec.relative ? spec.tolerance * base : spec.tolerance;
  const events = c.x + c.y;
  const exposure = c.xExposure + c.yExposure;
  const pValue =
    events > 0 && exposure > 0 && c.yExposure > 0
      ? binomialTailUpper(c.y, events, c.yExposure / exposure)
      : 1;
  const significant = pValue < alpha;
  const beyond = change > tolerance;
  let status: WatchStatus = "ok";
  if (beyond) status = significant ? "regressed" : "undetermined";
  return {
    spec: spec.text,
    signal: spec.signal,
    subject,
    unit: c.unit,
    baseline: base,
    patched,
    change: { value: change, interval: "point estimate" },
    tolerance,
    test: {
      test: "exact conditional binomial test of two rates, one-sided (patched higher)",
      pValue,
      alpha,
      significant,
      statistics: {
        baseline: c.x,
        baselineExposure: c.xExposure,
        patched: c.y,
        patchedExposure: c.yExposure,
      },
    },
    status,
    summary: `${subject} ${c.what} ${c.fmt(base)} → ${c.fmt(patched)} (${c.fmtChange(change)}, tolerance ${c.fmtChange(tolerance)}), ${fmtP(pValue)}`,
  };
}
