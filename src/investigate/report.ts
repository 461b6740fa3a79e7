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
}
