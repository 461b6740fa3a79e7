import type { DownstreamCall } from "./proxy.js";
import { isError, type Outcome } from "./replay.js";
import type { PlannedRequest } from "./traffic.js";
import type { Side } from "./verdict.js";

/** What one candidate produced during the replay. */
export interface SideEvidence {
  /** Index-aligned with `Evidence.requests`. */
  outcomes: Outcome[];
  /** Calls seen by the recording proxy, per downstream name. */
  downstream: Record<string, DownstreamCall[]>;
  crashed: boolean;
  peakRssBytes?: number;
  /** Wall time the replay ran. */
  replayMs: number;
}

/** Everything measured in a paired run: the raw material of every signal and test. */
export interface Evidence {
  /** The requests replayed to both sides, in order. */
  requests: PlannedRequest[];
  timeoutMs: number;
  downstreams: { name: string; envVar: string; url: string }[];
  baseline: SideEvidence;
  patched: SideEvidence;
}

export const sides: readonly Side[] = ["baseline", "patched"];

export function errorCount(side: SideEvidence): number {
  return side.outcomes.filter(isError).length;
}

/**
 * Latencies in ms, ascending: answered requests as measured, timeouts at the timeout (a lower bound
 * of the truth). Refused connections have no meaningful latency and are left out; they count as errors.
 */
export function latencies(side: SideEvidence, timeoutMs: number): number[] {
  const out: number[] = [];
  for (const o of side.outcomes) {
    if (o.failure === "timeout") out.push(timeoutMs);
    else if (o.status !== undefined) out.push(o.latencyMs);
  }
  return out.sort((a, b) => a - b);
}

/** Downstream calls that failed: HTTP ≥ 500, connection failures, and calls the candidate gave up on. */
export function isDownstreamError(call: DownstreamCall): boolean {
  return call.failure !== undefined || (call.status ?? 0) >= 500;
}
