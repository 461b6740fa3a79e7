import type { Alert } from "../../alerts/alert.js";
import type { AlertingRule } from "../../monitoring/prometheus-client.js";
import { maxRangeSeconds, parseThreshold, type Threshold } from "../promql.js";
import type { AlertWindow, BaseContext, EvidenceSource, Gathered, SourceRecorder } from "./evidence.js";

/**
 * The alert itself and its rule: the expression (from the generator URL's `g0.expr`, else the
 * Prometheus rules API), the `for` duration and range window, the threshold, and from them the
 * time window the other sources look at.
 */
export interface AlertEvidence {
  expr?: string;
  exprFrom?: "generatorURL" | "Prometheus rules";
  forSeconds?: number;
  rangeSeconds?: number;
  threshold?: Threshold;
  window: AlertWindow;
  /** What could not be learned about the rule. */
  notes: string[];
}

/** The contrast baseline is at least this long, so a short window still has a baseline. */
const minBeforeMs = 10 * 60_000;

export const alertSource: EvidenceSource<AlertEvidence, BaseContext> = {
  name: "alert",
  async gather(ctx: BaseContext, recorder: SourceRecorder): Promise<Gathered<AlertEvidence>> {
    const { alert } = ctx;
    const notes: string[] = [];
    let expr = exprFromGeneratorUrl(alert.generatorURL);
    let exprFrom: AlertEvidence["exprFrom"] = expr ? "generatorURL" : undefined;
    let rule: AlertingRule | undefined;
    if (ctx.prometheus) {
      const client = ctx.prometheus(recorder.deadline);
      const rules = await recorder.run(`GET ${client.baseUrl}/api/v1/rules?type=alert`, () =>
        client.alertingRules(),
      );
      if (rules.ok) {
        rule = matchingRule(rules.value, alert);
        if (!rule)
          notes.push(`no alerting rule named ${alert.name} in Prometheus: the rule's 'for' is unknown`);
      } else notes.push(`Prometheus rules unavailable (${rules.reason}): the rule's 'for' is unknown`);
    } else notes.push("no Prometheus URL: the rule's 'for' is unknown");
    if (!expr && rule) {
      expr = rule.query;
      exprFrom = "Prometheus rules";
    }
    if (!expr)
      notes.push("the alert's expression is unknown (no generatorURL with g0.expr, no matching rule)");
    const forSeconds = rule?.forSeconds;
    const rangeSeconds = expr ? maxRangeSeconds(expr) : undefined;
    const threshold = expr ? parseThreshold(expr) : undefined;
    if (expr && !threshold) notes.push("no numeric threshold found in the alert's expression");
    return {
      available: true,
      value: {
        ...(expr ? { expr, exprFrom } : {}),
        ...(forSeconds !== undefined ? { forSeconds } : {}),
        ...(rangeSeconds !== undefined ? { rangeSeconds } : {}),
        ...(threshold ? { threshold } : {}),
        window: alertWindow(alert, ctx.now, (forSeconds ?? 0) + (rangeSeconds ?? 0)),
        notes,
      },
    };
  },
};

export function exprFromGeneratorUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, "http://generator.invalid").searchParams.get("g0.expr") ?? undefined;
  } catch {
    return undefined;
  }
}

/** The rule with the alert's name whose own labels the alert carries (rules may share a name). */
function matchingRule(rules: AlertingRule[], alert: Alert): AlertingRule | undefined {
  const named = rules.filter((r) => r.name === alert.name);
  return (
    named.find((r) =>
      Object.entries(r.labels).every(([k, v]) => alert.labels[k] === v || v.includes("{{")),
    ) ?? named[0]
  );
}

export function alertWindow(alert: Alert, now: Date, leadSeconds: number): AlertWindow {
  const startsAt = Date.parse(alert.startsAt);
  const endsAt = alert.endsAt ? Date.parse(alert.endsAt) : Number.NaN;
  const end =
    alert.status === "resolved" && endsAt > startsAt && endsAt < now.getTime() ? endsAt : now.getTime();
  const start = Math.min(startsAt - leadSeconds * 1000, end);
  return {
    start: new Date(start),
    end: new Date(end),
    beforeStart: new Date(start - Math.max(end - start, minBeforeMs)),
  };
}
