import type { Alert } from "../alerts/alert.js";
import type { Environment } from "../manifest/load.js";
import { PrometheusClient } from "../monitoring/prometheus-client.js";
import type { Runtime } from "../runtime/runtime.js";
import { worldSecrets } from "../runtime/secrets.js";
import { errorMessage, UserError } from "../util/errors.js";
import { redactDeep } from "../util/redact.js";
import type { AnalysisContext, Conclusions, Evidence } from "./analyzers/analyzer.js";
import { analyzers } from "./analyzers/registry.js";
import { conclude } from "./conclude.js";
import { alertSource } from "./evidence/alert.js";
import {
  type BaseContext,
  EvidenceLog,
  type EvidenceSource,
  type GatherContext,
  type Gathered,
} from "./evidence/evidence.js";
import { logsSource } from "./evidence/logs.js";
import { metricsSource } from "./evidence/metrics.js";
import { runbooksSource } from "./evidence/runbooks.js";
import { serviceStateSource } from "./evidence/service-state.js";
import { sourceSource } from "./evidence/source.js";
import type { Finding, Report, ReportEvidence } from "./report.js";

/**
 * The deterministic investigation: gather evidence from every source (each bounded, each allowed
 * to be missing), run the analyzers in registry order, and state the cause only as far as the
 * evidence carries it. Read-only throughout.
 */
export interface InvestigateOptions {
  now?: Date;
  /** Defaults to the running world's Prometheus, else the manifest's external one. */
  prometheusUrl?: string;
  /** Time budget per evidence source, by source name. */
  budgetsMs?: Partial<Record<SourceName, number>>;
  onProgress?: (message: string) => void;
}

type SourceName = "alert" | "metrics" | "logs" | "service state" | "source" | "runbooks";

const defaultBudgetsMs: Record<SourceName, number> = {
  alert: 5000,
  metrics: 10_000,
  logs: 10_000,
  "service state": 3000,
  source: 15_000,
  runbooks: 3000,
};

/** The service an alert is about: its manifest entry, else a `service`/`job`/`app` label naming one. */
export function serviceForAlert(alert: Alert, envm: Environment): { service: string; how: string } {
  const { manifest } = envm;
  const spec = manifest.alerts[alert.name];
  if (spec) return { service: spec.service, how: "" };
  for (const label of ["service", "job", "app"]) {
    const value = alert.labels[label];
    if (value && manifest.services[value])
      return {
        service: value,
        how: `${alert.name} is not in the manifest's alerts; service found from its label ${label}="${value}"`,
      };
  }
  throw new UserError(
    `alert ${alert.name} is not in ${envm.file}'s alerts and none of its labels service/job/app names a service (known: ${Object.keys(manifest.services).join(", ")})`,
    1,
  );
}

export async function investigate(
  alert: Alert,
  envm: Environment,
  runtime: Runtime,
  options: InvestigateOptions = {},
): Promise<Report> {
  const progress = options.onProgress ?? (() => {});
  const { service, how } = serviceForAlert(alert, envm);
  const spec = envm.manifest.services[service];
  if (!spec) throw new UserError(`no service named '${service}' in ${envm.file}`);
  const now = options.now ?? new Date();
  const budgets = { ...defaultBudgetsMs, ...options.budgetsMs };
  const log = new EvidenceLog();
  const prometheusUrl = options.prometheusUrl ?? defaultPrometheusUrl(envm, runtime);

  // Every service's secrets: a downstream's logs or config can carry them as well.
  const secrets = worldSecrets(envm, runtime);
  const base: BaseContext = {
    alert,
    service,
    spec,
    envm,
    runtime,
    prometheus: prometheusUrl ? (deadline) => new PrometheusClient(prometheusUrl, { deadline }) : undefined,
    secrets,
    now,
  };
  progress(`investigating ${alert.name} on ${service}`);
  const alertEvidence = await alertSource.gather(base, log.forSource(alertSource.name, budgets.alert));
  if (!alertEvidence.available) throw new Error("the alert source is always available");
  const ctx: GatherContext = { ...base, window: alertEvidence.value.window, expr: alertEvidence.value.expr };
  const gather = <T>(source: EvidenceSource<T>): Promise<Gathered<T>> =>
    source
      .gather(ctx, log.forSource(source.name, budgets[source.name as SourceName] ?? 5000))
      .catch(
        (err: unknown): Gathered<T> => ({ available: false, reason: `internal error: ${errorMessage(err)}` }),
      );
  const [metrics, logs, state, source, runbooks] = await Promise.all([
    gather(metricsSource),
    gather(logsSource),
    gather(serviceStateSource),
    gather(sourceSource),
    gather(runbooksSource),
  ]);
  const evidence: Evidence = { alert: alertEvidence.value, metrics, logs, state, source, runbooks };
  progress(
    `evidence: ${Object.entries({ metrics, logs, state, source, runbooks })
      .map(([k, g]) => `${k} ${g.available ? "ok" : "missing"}`)
      .join(", ")}`,
  );

  const conclusions: Conclusions = { failingAttributes: [], downstream: [] };
  const findings: Finding[] = [];
  for (const analyzer of analyzers) {
    const actx: AnalysisContext = {
      alert,
      service,
      spec,
      alertSpec: envm.manifest.alerts[alert.name],
      evidence,
      conclusions,
    };
    try {
      const result = await analyzer.analyze(actx);
      findings.push(...result.findings);
      Object.assign(conclusions, result.conclusions);
    } catch (err) {
      findings.push({
        analyzer: analyzer.name,
        title: `${analyzer.name} failed`,
        detail: errorMessage(err),
        confidence: 0,
      });
    }
  }
  const verdict = conclude(alert.name, service, how, evidence, conclusions, findings);
  progress(verdict.cause ? `cause: ${verdict.cause.slice(0, 120)}` : "cause not determined");
  const { window } = alertEvidence.value;
  // Sources redact what they read; this last pass guarantees it for every string the report carries
  // (runbook steps, commit subjects…), since the report is shown to people and given to models.
  return redactDeep(
    {
      alert,
      service,
      generatedAt: new Date().toISOString(),
      summary: verdict.summary,
      ...(conclusions.slo ? { slo: conclusions.slo } : {}),
      ...(conclusions.errorSignature ? { errorSignature: conclusions.errorSignature } : {}),
      failingAttributes: conclusions.failingAttributes,
      ...(conclusions.suspectChange ? { suspectChange: conclusions.suspectChange } : {}),
      downstream: conclusions.downstream,
      recommendation: verdict.recommendation,
      ...(conclusions.runbook ? { runbook: conclusions.runbook } : {}),
      findings,
      missingEvidence: verdict.missingEvidence,
      confidence: verdict.confidence,
      evidenceLog: log.records,
      ...(verdict.cause ? { cause: verdict.cause } : {}),
      window: {
        before: window.beforeStart.toISOString(),
        start: window.start.toISOString(),
        end: window.end.toISOString(),
      },
      ...(conclusions.requestLog ? { requestLog: conclusions.requestLog } : {}),
      evidence: snapshot(evidence, conclusions),
    } satisfies Report,
    secrets,
  );
}

/** The world's Prometheus: the managed one that is running, else the manifest's external one. */
export function defaultPrometheusUrl(envm: Environment, runtime: Runtime): string | undefined {
  const prom = envm.manifest.monitoring.prometheus;
  return runtime.status().prometheusUrl ?? (prom.mode === "external" ? prom.url : undefined);
}

function snapshot(evidence: Evidence, conclusions: Conclusions): ReportEvidence {
  const out: ReportEvidence = {};
  const a = evidence.alert;
  if (a.expr) {
    out.rule = {
      expr: a.expr,
      from: a.exprFrom ?? "",
      ...(a.forSeconds !== undefined ? { forSeconds: a.forSeconds } : {}),
      ...(a.threshold ? { comparator: a.threshold.comparator, threshold: a.threshold.threshold } : {}),
    };
  }
  if (evidence.metrics.available) {
    const m = evidence.metrics.value;
    out.metrics = {
      ...(m.signal
        ? {
            signal: {
              expr: m.signal.expr,
              value: m.signal.value,
              ...(m.history ? { peak: m.history.max } : {}),
            },
          }
        : {}),
      ...(m.traffic
        ? {
            breakdown: { expr: m.traffic.breakdown.expr, rows: m.traffic.breakdown.rows },
            requestRate: m.traffic.requestRate,
            ...(m.traffic.errorRatio !== undefined ? { errorRatio: m.traffic.errorRatio } : {}),
          }
        : {}),
      ...(m.latency?.p50Ms !== undefined ? { p50Ms: m.latency.p50Ms } : {}),
      ...(m.latency?.p99Ms !== undefined ? { p99Ms: m.latency.p99Ms } : {}),
    };
  }
  if (evidence.logs.available) {
    const l = evidence.logs.value;
    out.logs = {
      entriesInWindow: l.inWindow.length,
      entriesBefore: l.before.length,
      baselineSeconds: Math.round(l.beforeMs / 1000),
      truncated: l.truncated,
    };
  }
  if (conclusions.errorTemplates) out.errorTemplates = conclusions.errorTemplates;
  if (evidence.state.available) {
    const s = evidence.state.value;
    out.service = {
      running: s.status?.running ?? false,
      ...(s.status
        ? {
            pid: s.status.pid,
            uptimeSeconds: Math.round(s.status.uptimeSeconds),
            restarts: s.status.restarts,
          }
        : {}),
      env: s.env,
      configFiles: s.configFiles,
    };
  }
  if (evidence.source.available) {
    out.commits = evidence.source.value.commitsBeforeAlert
      .slice(0, 10)
      .map((c) => ({ sha: c.sha, author: c.author, authorDate: c.authorDate, subject: c.subject }));
  }
  return out;
}
