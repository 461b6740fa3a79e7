import type { DownstreamMetrics } from "../evidence/metrics.js";
import type { DownstreamHealth, Finding } from "../report.js";
import type { Analyzer, AnalyzerResult } from "./analyzer.js";

/**
 * Is the cause upstream of us or ours? For each dependency (manifest `dependsOn`), in the alert
 * window: its own 5xx share and latency, and how this service's calls to it fare. A dependency
 * failing on its side is degraded; one that is healthy but rejects our calls (4xx) points back
 * at what we send it.
 */

const name = "downstream";
/** A dependency answering this share of its requests with 5xx is degraded. */
const degradedErrorRatio = 0.01;

export const downstreamAnalyzer: Analyzer = {
  name,
  analyze(ctx): AnalyzerResult {
    const deps = Object.keys(ctx.spec.dependsOn);
    if (deps.length === 0) return { findings: [], conclusions: { downstream: [] } };
    const metrics = ctx.evidence.metrics;
    if (!metrics.available) {
      const downstream: DownstreamHealth[] = deps.map((service) => ({
        service,
        verdict: "unknown",
        description: `${service}: unknown (${metrics.reason})`,
      }));
      return {
        findings: [
          {
            analyzer: name,
            title: "Downstream health unknown",
            detail: `No metrics for ${deps.join(", ")}: ${metrics.reason}.`,
            confidence: 0,
          },
        ],
        conclusions: { downstream },
      };
    }
    const ourP99 = metrics.value.latency?.p99Ms;
    const latencyAlert = /quantile|duration|latency|_ms\b/.test(
      `${ctx.evidence.alert.expr ?? ""} ${ctx.alertSpec?.slo ?? ""}`,
    );
    const downstream = deps.map((dep) =>
      judge(
        dep,
        metrics.value.downstreams.find((d) => d.service === dep),
        ctx.service,
        ourP99,
        latencyAlert,
      ),
    );
    const findings: Finding[] = downstream.map((d) => ({
      analyzer: name,
      title: `Downstream ${d.service}: ${d.verdict}`,
      detail: d.description,
      confidence: d.verdict === "unknown" ? 0 : 0.7,
      evidence: evidenceOf(metrics.value.downstreams.find((m) => m.service === d.service)),
    }));
    return { findings, conclusions: { downstream } };
  },
};

function judge(
  dep: string,
  m: DownstreamMetrics | undefined,
  service: string,
  ourP99: number | undefined,
  latencyAlert: boolean,
): DownstreamHealth {
  if (!m || (!m.own && !m.calls)) {
    return {
      service: dep,
      verdict: "unknown",
      description: `${dep}: no metrics found for it or for ${service}'s calls to it`,
    };
  }
  const parts: string[] = [];
  const base: Pick<DownstreamHealth, "service" | "errorRate" | "p99Ms" | "callFailureRate" | "callStatuses"> =
    {
      service: dep,
    };
  if (m.own) {
    if (m.own.errorRatio !== undefined) base.errorRate = m.own.errorRatio;
    if (m.own.p99Ms !== undefined) base.p99Ms = m.own.p99Ms;
    parts.push(
      `${dep} serves ${m.own.requestRate.toFixed(1)} req/s` +
        `${m.own.errorRatio !== undefined ? `, ${pct(m.own.errorRatio)} 5xx` : ""}` +
        `${m.own.p99Ms !== undefined ? `, p99 ${Math.round(m.own.p99Ms)} ms` : ""}`,
    );
  }
  let rejected = 0;
  let serverFailed = 0;
  const calls = m.calls;
  if (calls) {
    base.callFailureRate = calls.failedRatio;
    base.callStatuses = calls.byStatus;
    for (const [status, rate] of Object.entries(calls.byStatus)) {
      if (/^4\d\d$/.test(status)) rejected += rate;
      else if (!/^[123]\d\d$/.test(status)) serverFailed += rate;
    }
    const statuses = Object.entries(calls.byStatus)
      .filter(([s]) => !/^[23]\d\d$/.test(s))
      .map(([s, r]) => `${s}: ${pct(r / calls.rate)}`)
      .join(", ");
    parts.push(
      `${service}'s calls to ${dep}: ${calls.rate.toFixed(1)}/s, ${pct(calls.failedRatio)} failed${statuses ? ` (${statuses})` : ""}` +
        `${calls.p99Ms !== undefined ? `, p99 ${Math.round(calls.p99Ms)} ms` : ""}`,
    );
  }
  const callRate = m.calls?.rate ?? 0;
  const ownFailing = (m.own?.errorRatio ?? 0) >= degradedErrorRatio;
  const callsFailingServerSide = callRate > 0 && serverFailed / callRate >= degradedErrorRatio;
  const slowForUs =
    latencyAlert && ourP99 !== undefined && m.calls?.p99Ms !== undefined && m.calls.p99Ms >= 0.7 * ourP99;
  let verdict: DownstreamHealth["verdict"] = "healthy";
  let conclusion: string;
  if (ownFailing || callsFailingServerSide) {
    verdict = "degraded";
    conclusion = `${dep} is failing on its side: the cause may be upstream of ${service}`;
  } else if (slowForUs) {
    verdict = "degraded";
    conclusion = `calls to ${dep} take most of ${service}'s p99 (${Math.round(ourP99 as number)} ms): the latency comes from ${dep}`;
  } else if (callRate > 0 && rejected / callRate >= degradedErrorRatio) {
    conclusion = `${dep} is healthy but rejects ${pct(rejected / callRate)} of ${service}'s calls with 4xx: look at what ${service} sends it, not at ${dep}`;
  } else {
    conclusion = `${dep} looks healthy: the cause is in ${service}`;
  }
  return {
    ...base,
    verdict,
    description: `${parts.join("; ")}. ${conclusion[0]?.toUpperCase()}${conclusion.slice(1)}.`,
  };
}

function evidenceOf(m: DownstreamMetrics | undefined): string[] {
  return [m?.own ? `PromQL ${m.own.selector}` : "", m?.calls ? `PromQL ${m.calls.metric}` : ""].filter(
    Boolean,
  );
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}
