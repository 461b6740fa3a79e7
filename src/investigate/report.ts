import type { Alert } from "../alerts/alert.js";

/** Every query or command an investigation ran, so a reader can replay it. */
export interface EvidenceRecord {
  source: string;
  /** The query, command or request, e.g. `git blame -L 42,42 catalog.py` or a PromQL expression. */
  action: string;
  startedAt: string;
  durationMs: number;
  ok: boolean;
  /** Why the evidence is missing or partial (unreachable, timed out, truncated…). */
  note?: string;
}

/** One analyzer's conclusion, with the evidence it rests on. */
export interface Finding {
  analyzer: string;
  title: string;
  /** Markdown detail for the report's Evidence section. */
  detail: string;
  /** 0..1: how strongly the evidence supports this finding. */
  confidence: number;
  /** The queries and commands (as in the evidence log) this finding rests on. */
  evidence?: string[];
}

export interface SloStatus {
  /** e.g. `error_rate > 0.05` */
  condition: string;
  signal: string;
  comparator: string;
  threshold: number;
  /** Current value of the alert expression / the signal, when Prometheus answered. */
  value?: number;
  /** e.g. "error rate 10.4% against a 5% SLO (2.1× the threshold)" */
  description: string;
}

export interface StackFrame {
  file: string;
  line: number;
  function?: string;
  code?: string;
}

export interface ErrorSignature {
  /** The mined template, variable parts masked, e.g. `ValueError: unsupported catalog shape for item_id=<*>` */
  template: string;
  exceptionType?: string;
  message?: string;
  /** Occurrences in the alert window and in the window before it, for contrast. */
  countInWindow: number;
  countBefore: number;
  sample: string;
  /** Innermost (raising) frame first. */
  frames: StackFrame[];
}

export interface FailingAttribute {
  attribute: string;
  /** `value`, `suffix`, `prefix`… */
  feature: string;
  value: string;
  description: string;
  /** What failures have, e.g. `item_id ending in "-3"`. */
  trait?: string;
  failing: number;
  failingTotal: number;
  succeeding: number;
  succeedingTotal: number;
}

export interface SuspectChange {
  commit: string;
  author: string;
  authorDate: string;
  subject: string;
  /** File and line in the repo that the failing frame points to, when found by blame. */
  file?: string;
  line?: number;
  /** The hunk of the commit that introduced the suspect line(s). */
  hunk: string;
  /** Why this commit is suspected: blame of a failing frame, or touched the failing code path. */
  reason: string;
  /** Other files the commit touched. */
  files: string[];
}

export interface DownstreamHealth {
  service: string;
  errorRate?: number;
  p99Ms?: number;
  verdict: "healthy" | "degraded" | "unknown";
  description: string;
  /** Share of this service's calls to the downstream that failed, as this service counts them. */
  callFailureRate?: number;
  /** This service's calls to the downstream per second, by status. */
  callStatuses?: Record<string, number>;
}

/** Requests in the alert window as the access log shows them. */
export interface RequestLogSummary {
  total: number;
  /** Status ≥ 500. */
  failing: number;
  byStatus: Record<string, number>;
}

/** The alert's time window; `before` starts the baseline the window is contrasted with. */
export interface InvestigationWindow {
  before: string;
  start: string;
  end: string;
}

export interface RunbookMatch {
  path: string;
  title: string;
  steps: string[];
}

/** The investigation's result: rendered as markdown for humans, consumed as JSON by the bridge. */
export interface Report {
  alert: Alert;
  service: string;
  generatedAt: string;
  /** Which model wrote the narrative; absent for the deterministic engine. */
  model?: string;
  summary: string;
  slo?: SloStatus;
  errorSignature?: ErrorSignature;
  failingAttributes: FailingAttribute[];
  suspectChange?: SuspectChange;
  downstream: DownstreamHealth[];
  recommendation: string;
  runbook?: RunbookMatch;
  findings: Finding[];
  /** Evidence that could not be gathered, and what that means for confidence. */
  missingEvidence: string[];
  /** 0..1 overall confidence in the stated cause. */
  confidence: number;
  evidenceLog: EvidenceRecord[];
  /** One line naming the cause; absent when the evidence does not determine one. */
  cause?: string;
  window?: InvestigationWindow;
  requestLog?: RequestLogSummary;
  /** The gathered evidence the findings rest on (secrets redacted), for readers and the bridge. */
  evidence?: ReportEvidence;
}

export interface ReportEvidence {
  rule?: { expr: string; from: string; forSeconds?: number; comparator?: string; threshold?: number };
  metrics?: {
    /** The alert expression's value now, and its peak over the window and the baseline before it. */
    signal?: { expr: string; value: number; peak?: number };
    /** The service's request rate broken down by the labels its series carry. */
    breakdown?: { expr: string; rows: { labels: Record<string, string>; rate: number }[] };
    requestRate?: number;
    errorRatio?: number;
    p50Ms?: number;
    p99Ms?: number;
  };
  logs?: { entriesInWindow: number; entriesBefore: number; baselineSeconds: number; truncated: boolean };
  /** Most frequent error templates in the window, with their counts before it. */
  errorTemplates?: { template: string; countInWindow: number; countBefore: number }[];
  service?: {
    running: boolean;
    pid?: number;
    uptimeSeconds?: number;
    restarts?: number;
    env: Record<string, string>;
    configFiles: { path: string; content: string }[];
  };
  /** The repo's recent commits before the alert, newest first. */
  commits?: { sha: string; author: string; authorDate: string; subject: string }[];
}
