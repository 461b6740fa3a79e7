/**
 * The verifier's result: what was run, what was measured on each side with its uncertainty, which
 * tests decided, and the verdict. Rendered as the markdown proof bundle for humans and stored as
 * JSON by the pipeline and UI. Units are in the field names (`Ms`, `Rps`, `Bytes`); rates are
 * fractions in [0, 1]; every interval names how it was computed.
 */

export type VerdictOutcome = "PASS" | "REJECT" | "INCONCLUSIVE";

export type Side = "baseline" | "patched";

/** A point estimate with a confidence interval; a missing bound means "cannot be bounded at this n". */
export interface Estimate {
  value: number;
  lower?: number;
  upper?: number;
  /** e.g. `Clopper-Pearson 98%`, `order statistics 98%`, `Hodges-Lehmann / Moses 99.6%`. */
  interval: string;
}

/** One hypothesis test as it was run. */
export interface TestResult {
  /** e.g. `exact McNemar, one-sided (patched fails more)`. */
  test: string;
  pValue: number;
  /** The level it was judged at, after the corrections recorded in `run.alpha`. */
  alpha: number;
  significant: boolean;
  /** Test statistics, e.g. `{ b: 12, c: 0 }` or `{ u: 8123 }`. */
  statistics: Record<string, number>;
}

/** Latency histogram with edges shared by both sides, so the two can be drawn on one chart. */
export interface LatencyHistogram {
  /** Ascending bucket edges in ms; bucket i counts samples in [edgesMs[i], edgesMs[i+1]). */
  edgesMs: number[];
  counts: number[];
  /** Samples at or above the last edge. */
  overflow: number;
}

export interface LatencySummary {
  /** Requests with a latency: answered, or timed out (counted at the timeout). Transport failures have none. */
  samples: number;
  minMs: number;
  meanMs: number;
  maxMs: number;
  /** Keyed `p50`, `p95`, `p99` plus any quantile the SLO or watchlist names. */
  quantilesMs: Record<string, Estimate>;
  histogram: LatencyHistogram;
}

export interface DownstreamSummary {
  name: string;
  /** The env var the candidate reads the downstream's URL from (pointed at a recording proxy). */
  envVar: string;
  /** The real downstream the proxy forwarded to. */
  url: string;
  calls: number;
  callsPerRequest: number;
  /** HTTP ≥ 500, connection failures, and calls the candidate gave up on (its own timeout). */
  errors: number;
  serverErrors: number;
  connectionFailures: number;
  abandoned: number;
  errorRate: Estimate;
  p50Ms?: number;
  p99Ms?: number;
}

export interface SideSummary {
  side: Side;
  /** The candidate's pid and captured stdout+stderr. */
  pid: number;
  logFile: string;
  requests: number;
  /** HTTP ≥ 500 or transport failure (connection error, timeout). */
  errors: number;
  timeouts: number;
  transportErrors: number;
  /** Count per HTTP status, plus `timeout` / `connection` / `protocol` for transport failures. */
  outcomes: Record<string, number>;
  errorRate: Estimate;
  latency?: LatencySummary;
  throughputRps: number;
  downstreams: DownstreamSummary[];
  /** The candidate process died during the run. */
  crashed: boolean;
  peakRssBytes?: number;
}

export interface SloResult {
  /** As written, e.g. `error_rate > 0.05`. */
  condition: string;
  signal: string;
  comparator: ">" | ">=" | "<" | "<=";
  threshold: number;
  unit: string;
  baseline: {
    estimate?: Estimate;
    /** `reproduced`: the point estimate violates the SLO; `healthy`: confidently within it. */
    status: "reproduced" | "healthy" | "undetermined";
  };
  patched: {
    estimate?: Estimate;
    /** `cleared`: the confidence bound is within the SLO; `violated`: point estimate and bound violate. */
    status: "cleared" | "violated" | "undetermined";
  };
  /** Is the patched side better than the baseline on this signal (used when the bound alone cannot decide)? */
  improvement?: TestResult;
}

export type WatchStatus = "regressed" | "ok" | "undetermined";

/** One watchlist signal compared baseline vs patched. */
export interface WatchResult {
  /** The watch entry, e.g. `p99_ms:+50%`; `crash` for the built-in crash check. */
  spec: string;
  signal: string;
  /** What the comparison is about when the signal has several, e.g. a downstream or `shape=8`. */
  subject?: string;
  unit: string;
  baseline?: number;
  patched?: number;
  /** Patched minus baseline, with an interval when the method gives one. */
  change?: Estimate;
  /** The largest acceptable increase, in `unit`; absent when it is relative to a baseline value that was not measured. */
  tolerance?: number;
  test?: TestResult;
  status: WatchStatus;
  /** One sentence, e.g. `p50 +301 ms (HL shift, 99.6% CI 290..312 ms), tolerance +62 ms, p < 1e-12`. */
  summary: string;
  /** Per-subject breakdown (strata of the request mix, each downstream); the worst decides `status`. */
  details?: WatchResult[];
}

/** Identical requests (same method, path and body) whose outcome changed between the sides. */
export interface RequestGroup {
  /** e.g. `POST /checkout {"item_id": "item-117-8", "quantity": 2}`. */
  description: string;
  count: number;
  /** Outcome seen on each side, e.g. `200` and `500`. */
  baseline: string;
  patched: string;
  /** Position of the first such request in the replayed sequence. */
  firstIndex: number;
}

/** A value of a traffic variable shared by many changed requests: the pattern behind them. */
export interface SharedValue {
  variable: string;
  value: string;
  /** Changed requests with this value, and all replayed requests with it. */
  changed: number;
  total: number;
}

export interface ChangedRequests {
  total: number;
  groups: RequestGroup[];
  sharedValues: SharedValue[];
}

export interface ErrorSignature {
  /** Masked log template, `<*>` where messages vary. */
  template: string;
  count: number;
  /** One redacted occurrence. */
  sample: string;
}

export interface VerdictReason {
  code:
    | "slo-cleared"
    | "slo-violated"
    | "regression"
    | "crash"
    | "not-reproduced"
    | "downstream-unavailable"
    | "start-failed"
    | "invalid-patch"
    | "insufficient-evidence";
  message: string;
}

export interface Verdict {
  schema: "fixloop.verdict/v1";
  outcome: VerdictOutcome;
  /** One line, e.g. `REJECT: p50_ms regressed by +301 ms`. */
  headline: string;
  /** One paragraph explaining the outcome from the evidence. */
  rationale: string;
  /** Every finding that supports the outcome, most decisive first. */
  reasons: VerdictReason[];
  service: string;
  alert?: string;
  generatedAt: string;
  durationMs: number;
  patch: {
    strategy: string;
    baseCommit: string;
    files: string[];
    linesAdded: number;
    linesRemoved: number;
    diff: string;
    empty: boolean;
  };
  /** Absent when the candidates never ran (invalid patch, start failure). */
  slo?: SloResult;
  sides: { baseline?: SideSummary; patched?: SideSummary };
  watch: WatchResult[];
  /** Requests that succeed on the baseline and fail patched. */
  newlyFailing: ChangedRequests;
  /** Requests that fail on the baseline and succeed patched: what the patch fixed. */
  newlyPassing: ChangedRequests;
  errorSignatures: {
    /** Error templates in the patched run's log that the baseline's log lacks. */
    new: ErrorSignature[];
    /** Error templates of the baseline's log that the patched run no longer logs. */
    resolved: ErrorSignature[];
  };
  run: {
    /** Where the candidates ran, e.g. `local`. */
    runner: string;
    seed: number;
    concurrency: number;
    timeoutMs: number;
    /** Paired requests sent to each side in total. */
    requestsPerSide: number;
    /** Cumulative requests per side after each batch (adaptive extension). */
    batches: number[];
    initialRequests: number;
    maxRequests: number;
    /**
     * Family error level and how it was split: every look at the data (batch) and every watch test
     * gets its Bonferroni share, so peeking and many signals do not inflate false verdicts.
     */
    alpha: { family: number; looks: number; perLook: number; perWatchTest: number };
    /** The candidates' command and the real downstreams they reached through the recording proxies. */
    identity: { command: string[]; downstreams: { name: string; envVar: string; url: string }[] };
    logDir: string;
  };
}
