import { quantileLabel } from "./conditions.js";
import { type Evidence, errorCount, isDownstreamError, latencies, type SideEvidence } from "./evidence.js";
import { clopperPearson, quantile, quantileConfidenceInterval } from "./stats.js";
import type {
  DownstreamSummary,
  Estimate,
  LatencyHistogram,
  LatencySummary,
  Side,
  SideSummary,
} from "./verdict.js";

/** Quantiles every side summary carries, whatever the SLO and watchlist name. */
const standardQuantiles = [0.5, 0.95, 0.99];
const histogramBuckets = 20;

export interface SummaryContext {
  /** Two-sided confidence of the intervals (each bound then holds at (1 + confidence) / 2). */
  confidence: number;
  /** Extra quantiles (0..1) the SLO and watchlist need. */
  quantiles: number[];
  /** Shared histogram edges, from `histogramEdges`. */
  edgesMs: number[];
  pid: number;
  logFile: string;
}

export function summarizeSide(side: Side, evidence: Evidence, ctx: SummaryContext): SideSummary {
  const ev = evidence[side];
  const n = ev.outcomes.length;
  const errors = errorCount(ev);
  const outcomes: Record<string, number> = {};
  for (const o of ev.outcomes) {
    const key = o.failure ?? String(o.status);
    outcomes[key] = (outcomes[key] ?? 0) + 1;
  }
  const sample = latencies(ev, evidence.timeoutMs);
  return {
    side,
    pid: ctx.pid,
    logFile: ctx.logFile,
    requests: n,
    errors,
    timeouts: outcomes.timeout ?? 0,
    transportErrors: ev.outcomes.filter((o) => o.failure !== undefined).length,
    outcomes,
    errorRate: rateEstimate(errors, n, ctx.confidence),
    latency: sample.length ? latencySummary(sample, ctx) : undefined,
    throughputRps: ev.replayMs > 0 ? n / (ev.replayMs / 1000) : 0,
    downstreams: evidence.downstreams.map((d) => downstreamSummary(d, ev, n, ctx.confidence)),
    crashed: ev.crashed,
    peakRssBytes: ev.peakRssBytes,
  };
}

export function rateEstimate(k: number, n: number, confidence: number): Estimate {
  const ci = clopperPearson(k, n, confidence);
  return {
    value: n ? k / n : 0,
    lower: ci.lower,
    upper: ci.upper,
    interval: `Clopper-Pearson ${percent(confidence)}`,
  };
}

/** A population quantile of a sorted sample, with its distribution-free order-statistic interval. */
export function quantileEstimate(sorted: readonly number[], q: number, confidence: number): Estimate {
  const ci = quantileConfidenceInterval(sorted, q, confidence);
  return {
    value: quantile(sorted, q),
    lower: ci.lower?.value,
    upper: ci.upper?.value,
    interval: `order statistics ${percent(confidence)}`,
  };
}

/**
 * Histogram edges for both sides at once: 0 to the pooled 99.5th percentile in about 20 buckets of
 * a round width (1, 2, 2.5 or 5 × 10^k ms), so one chart can overlay baseline and patched.
 */
export function histogramEdges(samples: readonly (readonly number[])[]): number[] {
  const pooled = samples.flat().sort((a, b) => a - b);
  const top = pooled.length ? quantile(pooled, 0.995) : 1;
  const raw = Math.max(top, 1) / histogramBuckets;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((f) => f * magnitude >= raw) ?? 10) * magnitude;
  const buckets = Math.max(1, Math.ceil(top / step));
  return Array.from({ length: buckets + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

export function percent(confidence: number): string {
  return `${Number((confidence * 100).toPrecision(4))}%`;
}

function latencySummary(sorted: number[], ctx: SummaryContext): LatencySummary {
  const quantilesMs: Record<string, Estimate> = {};
  for (const q of [...standardQuantiles, ...ctx.quantiles].sort((a, b) => a - b)) {
    quantilesMs[quantileLabel(q)] = quantileEstimate(sorted, q, ctx.confidence);
  }
  return {
    samples: sorted.length,
    minMs: sorted[0] as number,
    meanMs: sorted.reduce((a, b) => a + b, 0) / sorted.length,
    maxMs: sorted[sorted.length - 1] as number,
    quantilesMs,
    histogram: histogram(sorted, ctx.edgesMs),
  };
}

function histogram(sorted: readonly number[], edgesMs: number[]): LatencyHistogram {
  const counts = new Array<number>(Math.max(0, edgesMs.length - 1)).fill(0);
  let overflow = 0;
  const last = edgesMs[edgesMs.length - 1] ?? 0;
  for (const v of sorted) {
    if (v >= last) {
      overflow++;
      continue;
    }
    let i = 0;
    while (i + 1 < edgesMs.length && v >= (edgesMs[i + 1] as number)) i++;
    counts[i] = (counts[i] ?? 0) + 1;
  }
  return { edgesMs, counts, overflow };
}

function downstreamSummary(
  d: { name: string; envVar: string; url: string },
  ev: SideEvidence,
  requests: number,
  confidence: number,
): DownstreamSummary {
  const calls = ev.downstream[d.name] ?? [];
  const answered = calls
    .filter((c) => c.status !== undefined)
    .map((c) => c.latencyMs)
    .sort((a, b) => a - b);
  const errors = calls.filter(isDownstreamError).length;
  return {
    name: d.name,
    envVar: d.envVar,
    url: d.url,
    calls: calls.length,
    callsPerRequest: requests ? calls.length / requests : 0,
    errors,
    serverErrors: calls.filter((c) => (c.status ?? 0) >= 500).length,
    connectionFailures: calls.filter((c) => c.failure === "connection").length,
    abandoned: calls.filter((c) => c.failure === "abandoned").length,
    errorRate: rateEstimate(errors, calls.length, confidence),
    p50Ms: answered.length ? quantile(answered, 0.5) : undefined,
    p99Ms: answered.length ? quantile(answered, 0.99) : undefined,
  };
}
