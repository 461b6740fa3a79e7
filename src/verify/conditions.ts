import { sloConditionPattern } from "../manifest/schema.js";
import { UserError } from "../util/errors.js";

/**
 * The signals an SLO condition or a watchlist entry can name, parsed once so the rest of the
 * verifier works on typed values.
 */

export type Comparator = ">" | ">=" | "<" | "<=";

/** `error_rate` (fraction of requests), `pNN_ms` (latency quantile). */
export type SloSignal = { kind: "error_rate" } | { kind: "latency"; quantile: number };

export interface SloCondition {
  text: string;
  signal: string;
  target: SloSignal;
  comparator: Comparator;
  threshold: number;
}

export type WatchSignal =
  | { kind: "error_rate" }
  | { kind: "latency"; quantile: number }
  | { kind: "downstream_error_rate" }
  | { kind: "downstream_calls_per_request" }
  | { kind: "rss_mb" }
  | { kind: "crash" };

export interface WatchSpec {
  text: string;
  signal: string;
  target: WatchSignal;
  /** The acceptable increase: absolute in the signal's unit, or a fraction of the baseline value. */
  tolerance: number;
  relative: boolean;
}

const latencySignal = /^p(\d{1,2})_ms$/;
const watchPattern = /^\s*([a-z_0-9]+)\s*:\s*\+\s*([0-9.]+)\s*(%?)\s*$/;

export const sloSignals = "error_rate, pNN_ms (e.g. p99_ms)";
export const watchSignals =
  "error_rate, pNN_ms (e.g. p99_ms), downstream_error_rate, downstream_calls_per_request, rss_mb";

/** Watched even when the manifest and command line name nothing: errors and crashes. */
export const defaultWatch = ["error_rate:+0.01"];

export function parseSlo(text: string, where = "--slo"): SloCondition {
  const m = sloConditionPattern.exec(text);
  if (!m)
    throw new UserError(`${where}: '${text}' is not a condition like 'error_rate > 0.05' or 'p99_ms > 300'`);
  const [, signal = "", comparator = ">", value = ""] = m;
  const threshold = Number(value);
  if (!Number.isFinite(threshold)) throw new UserError(`${where}: '${value}' is not a number`);
  let target: SloSignal;
  if (signal === "error_rate") {
    if (threshold > 1) throw new UserError(`${where}: error_rate is a fraction in [0, 1], got ${threshold}`);
    target = { kind: "error_rate" };
  } else {
    const quantile = latencyQuantile(signal);
    if (quantile === undefined)
      throw new UserError(`${where}: unknown SLO signal '${signal}' (known: ${sloSignals})`);
    target = { kind: "latency", quantile };
  }
  return { text: text.trim(), signal, target, comparator: comparator as Comparator, threshold };
}

export function parseWatch(text: string, where = "--watch"): WatchSpec {
  const m = watchPattern.exec(text);
  if (!m) throw new UserError(`${where}: '${text}' is not 'signal:+N' or 'signal:+N%', e.g. 'p99_ms:+20%'`);
  const [, signal = "", value = "", percent] = m;
  const amount = Number(value);
  if (!Number.isFinite(amount)) throw new UserError(`${where}: '${value}' is not a number`);
  return {
    text: text.trim(),
    signal,
    target: watchTarget(signal, where),
    tolerance: percent ? amount / 100 : amount,
    relative: Boolean(percent),
  };
}

/**
 * The watchlist: the defaults, then the manifest's entries, then the command line's; a later entry
 * for the same signal replaces an earlier one. The crash check is always on.
 */
export function watchList(manifest: readonly string[], extra: readonly string[]): WatchSpec[] {
  const bySignal = new Map<string, WatchSpec>();
  const add = (spec: WatchSpec) => bySignal.set(spec.signal, spec);
  for (const text of defaultWatch) add(parseWatch(text));
  for (const text of manifest) add(parseWatch(text, "watch"));
  for (const text of extra) add(parseWatch(text));
  return [
    ...bySignal.values(),
    { text: "crash", signal: "crash", target: { kind: "crash" }, tolerance: 0, relative: false },
  ];
}

/** True when `value` is on the violating side of the condition. */
export function violates(value: number, slo: Pick<SloCondition, "comparator" | "threshold">): boolean {
  switch (slo.comparator) {
    case ">":
      return value > slo.threshold;
    case ">=":
      return value >= slo.threshold;
    case "<":
      return value < slo.threshold;
    case "<=":
      return value <= slo.threshold;
  }
}

/** Quantile (0..1) named by `pNN_ms`. */
export function latencyQuantile(signal: string): number | undefined {
  const m = latencySignal.exec(signal);
  const q = m ? Number(m[1]) / 100 : undefined;
  return q !== undefined && q > 0 && q < 1 ? q : undefined;
}

export function quantileLabel(q: number): string {
  return `p${Math.round(q * 100)}`;
}

function watchTarget(signal: string, where: string): WatchSignal {
  switch (signal) {
    case "error_rate":
    case "downstream_error_rate":
    case "downstream_calls_per_request":
    case "rss_mb":
      return { kind: signal };
  }
  const quantile = latencyQuantile(signal);
  if (quantile === undefined)
    throw new UserError(`${where}: unknown signal '${signal}' (known: ${watchSignals})`);
  return { kind: "latency", quantile };
}
