import { sloConditionPattern } from "../../manifest/schema.js";
import type { SloStatus } from "../report.js";
import type { Analyzer, AnalyzerResult } from "./analyzer.js";

/**
 * How bad it is against the objective: the alert expression's current value (from Prometheus),
 * else the service's 5xx share (from its request counter, else from its access log), against the
 * manifest's SLO for this alert, else against the threshold in the alert's expression.
 */

const name = "slo";

export const sloAnalyzer: Analyzer = {
  name,
  analyze(ctx): AnalyzerResult {
    const { threshold } = ctx.evidence.alert;
    const parsedSlo = ctx.alertSpec ? sloConditionPattern.exec(ctx.alertSpec.slo) : null;
    const signal = parsedSlo?.[1] ?? "value";
    const comparator = parsedSlo?.[2] ?? threshold?.comparator;
    const limit = parsedSlo ? Number(parsedSlo[3]) : threshold?.threshold;
    if (comparator === undefined || limit === undefined) {
      return {
        findings: [
          {
            analyzer: name,
            title: "SLO status unknown",
            detail: "The alert is not in the manifest's alerts and its expression has no numeric threshold.",
            confidence: 0,
          },
        ],
      };
    }
    const condition = ctx.alertSpec?.slo ?? `${threshold?.signal} ${comparator} ${limit}`;
    const measured = measure(ctx, signal, limit);
    const label = signalLabel(signal);
    const description =
      measured === undefined
        ? `${label} unknown (${missingWhy(ctx)}); the alert fires on ${formatValue(signal, limit)}${parsedSlo ? " (the SLO)" : ""}`
        : `${label} ${formatValue(signal, measured.value)} against ${parsedSlo ? `a ${formatValue(signal, limit)} SLO` : `the alert's ${formatValue(signal, limit)} threshold`}${ratio(measured.value, limit)}`;
    const slo: SloStatus = {
      condition,
      signal,
      comparator,
      threshold: limit,
      ...(measured ? { value: measured.value } : {}),
      description,
    };
    return {
      findings: [
        {
          analyzer: name,
          title: description.charAt(0).toUpperCase() + description.slice(1),
          detail: measured
            ? `Measured by ${measured.how}.`
            : "No measurement of the alert's signal was available.",
          confidence: measured ? 0.9 : 0.2,
          ...(measured ? { evidence: [measured.how] } : {}),
        },
      ],
      conclusions: { slo },
    };
  },
};

function measure(
  ctx: Parameters<Analyzer["analyze"]>[0],
  signal: string,
  limit: number,
): { value: number; how: string } | undefined {
  const metrics = ctx.evidence.metrics.available ? ctx.evidence.metrics.value : undefined;
  const exprThreshold = ctx.evidence.alert.threshold?.threshold;
  if (metrics?.signal) {
    // The SLO may be stated in other units than the expression (300 ms vs 0.3 s).
    const scale = exprThreshold ? unitScale(limit / exprThreshold) : 1;
    return { value: metrics.signal.value * scale, how: `PromQL ${metrics.signal.expr}` };
  }
  if (!/error/.test(signal)) return undefined;
  if (metrics?.traffic?.errorRatio !== undefined) {
    return { value: metrics.traffic.errorRatio, how: `PromQL ${metrics.traffic.breakdown.expr}` };
  }
  const requests = ctx.conclusions.requestLog;
  if (requests && requests.total > 0) {
    return {
      value: requests.failing / requests.total,
      how: `the access log: ${requests.failing} of ${requests.total} requests in the window failed`,
    };
  }
  return undefined;
}

function unitScale(ratio: number): number {
  for (const scale of [1, 1000, 0.001, 100, 0.01]) if (Math.abs(ratio / scale - 1) < 1e-6) return scale;
  return 1;
}

function missingWhy(ctx: Parameters<Analyzer["analyze"]>[0]): string {
  return ctx.evidence.metrics.available
    ? "Prometheus returned no value for the alert's expression"
    : ctx.evidence.metrics.reason;
}

function signalLabel(signal: string): string {
  if (signal === "value") return "the alert's value";
  return signal.replace(/_ms$/, "").replace(/_/g, " ");
}

export function formatValue(signal: string, value: number): string {
  if (/(rate|ratio)$/.test(signal) && value <= 1) return `${Number((value * 100).toFixed(1))}%`;
  if (signal.endsWith("_ms")) return `${round(value)} ms`;
  return String(round(value));
}

function ratio(value: number, limit: number): string {
  return limit > 0 && value > limit ? ` (${(value / limit).toFixed(1)}× the threshold)` : "";
}

function round(n: number): number {
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2;
  return Number(n.toFixed(digits));
}
