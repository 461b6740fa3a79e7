import type { Alert } from "../../alerts/alert.js";
import type { AlertSpec, ServiceSpec } from "../../manifest/schema.js";
import type { AlertEvidence } from "../evidence/alert.js";
import type { Gathered } from "../evidence/evidence.js";
import type { LogsEvidence } from "../evidence/logs.js";
import type { MetricsEvidence } from "../evidence/metrics.js";
import type { RunbookDoc } from "../evidence/runbooks.js";
import type { ServiceStateEvidence } from "../evidence/service-state.js";
import type { SourceEvidence } from "../evidence/source.js";
import type {
  DownstreamHealth,
  ErrorSignature,
  FailingAttribute,
  Finding,
  RequestLogSummary,
  RunbookMatch,
  SloStatus,
  SuspectChange,
} from "../report.js";

/**
 * A deterministic analyzer: reads gathered evidence (and what earlier analyzers concluded), returns
 * typed findings with a confidence and the evidence they rest on. It never invents: no evidence,
 * no conclusion, and a finding that says so.
 */
export interface Analyzer {
  readonly name: string;
  analyze(ctx: AnalysisContext): Promise<AnalyzerResult> | AnalyzerResult;
}

export interface AnalyzerResult {
  findings: Finding[];
  conclusions?: Partial<Conclusions>;
}

/** Everything the evidence sources gathered, each either there or missing with a reason. */
export interface Evidence {
  alert: AlertEvidence;
  metrics: Gathered<MetricsEvidence>;
  logs: Gathered<LogsEvidence>;
  state: Gathered<ServiceStateEvidence>;
  source: Gathered<SourceEvidence>;
  runbooks: Gathered<RunbookDoc[]>;
}

/** What the analyzers establish, filled in registry order. */
export interface Conclusions {
  slo?: SloStatus;
  errorSignature?: ErrorSignature;
  errorTemplates?: { template: string; countInWindow: number; countBefore: number }[];
  requestLog?: RequestLogSummary;
  failingAttributes: FailingAttribute[];
  suspectChange?: SuspectChange;
  downstream: DownstreamHealth[];
  runbook?: RunbookMatch;
}

export interface AnalysisContext {
  alert: Alert;
  service: string;
  spec: ServiceSpec;
  /** The manifest's entry for this alert; absent when the alert is not in `alerts:`. */
  alertSpec: AlertSpec | undefined;
  evidence: Evidence;
  conclusions: Readonly<Conclusions>;
}
