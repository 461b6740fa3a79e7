import type { Conclusions, Evidence } from "./analyzers/analyzer.js";
import type { Finding } from "./report.js";

/**
 * From what the analyzers established to what the report states: the cause (only when a clear
 * error signature or a degraded dependency shows one), the fix, an overall confidence lowered for
 * each missing source of evidence, and a one-paragraph summary.
 */
export interface Verdict {
  cause?: string;
  recommendation: string;
  confidence: number;
  summary: string;
  missingEvidence: string[];
}

/** How much each missing source lowers confidence in a stated cause, and what is lost with it. */
const missingCost: Record<Exclude<keyof Evidence, "alert">, { penalty: number; loses: string }> = {
  metrics: {
    penalty: 0.15,
    loses: "the measured error rate, its breakdown and downstream health are unknown",
  },
  logs: { penalty: 0.3, loses: "no error signature or failing-attribute contrast is possible" },
  source: { penalty: 0.1, loses: "no suspect change can be named" },
  state: { penalty: 0.02, loses: "the process state is unknown" },
  runbooks: { penalty: 0, loses: "no runbook can be cited" },
};

export function conclude(
  alertName: string,
  service: string,
  serviceHow: string,
  evidence: Evidence,
  conclusions: Conclusions,
  findings: Finding[],
): Verdict {
  const missingEvidence: string[] = [];
  let penalty = 0;
  for (const [key, cost] of Object.entries(missingCost) as [
    keyof typeof missingCost,
    (typeof missingCost)["logs"],
  ][]) {
    const gathered = evidence[key];
    if (gathered.available) continue;
    penalty += cost.penalty;
    missingEvidence.push(
      `${key}: ${gathered.reason}; ${cost.loses}${cost.penalty ? ` (confidence −${Math.round(cost.penalty * 100)}%)` : ""}.`,
    );
  }
  for (const note of evidence.alert.notes) missingEvidence.push(`alert rule: ${note}.`);
  if (evidence.metrics.available && evidence.metrics.value.notes.length)
    missingEvidence.push(
      `metrics: ${evidence.metrics.value.notes.length} queries failed or found nothing: ${evidence.metrics.value.notes.slice(0, 3).join("; ")}.`,
    );
  if (evidence.logs.available && evidence.logs.value.truncated)
    missingEvidence.push(
      "logs: only the most recent part of the log was read (size cap); the baseline may be short.",
    );

  const confidenceOf = (analyzer: string) =>
    Math.max(0, ...findings.filter((f) => f.analyzer === analyzer).map((f) => f.confidence));
  const { slo, errorSignature: sig, suspectChange: suspect } = conclusions;
  const attribute = conclusions.failingAttributes[0];
  const degraded = conclusions.downstream.filter((d) => d.verdict === "degraded");
  const fires = `${alertName} fires for ${service}${serviceHow ? ` (${serviceHow})` : ""}${slo ? `: ${slo.description}` : ""}.`;

  let cause: string | undefined;
  let recommendation: string;
  let confidence: number;
  if (sig) {
    const failure = sig.exceptionType
      ? `${sig.exceptionType}: ${sig.message ?? ""}`
      : (sig.message ?? sig.template);
    const raisedAt =
      suspect?.file && suspect.line ? ` in ${suspect.file}:${suspect.line}` : frameWhere(sig.frames[0]);
    cause = `${clip(failure, 300)}${raisedAt}${attribute ? `, for requests with ${attribute.trait ?? attribute.description}` : ""}`;
    const failingCase = `${attribute ? ` (${attribute.trait ?? attribute.description})` : ""}: ${clip(failure, 200)}`;
    recommendation = suspect
      ? `Revert the hunk of ${suspect.commit.slice(0, 10)} ("${suspect.subject}") in ${suspect.file}, or handle the failing case${failingCase}.`
      : `Handle the failing case${failingCase}${raisedAt ? `, raised${raisedAt}` : ""}; no suspect change was found, so look at what reaches that code (inputs, config, dependencies).`;
    confidence =
      0.45 * confidenceOf("error-signature") +
      0.3 * (suspect ? confidenceOf("suspect-change") : 0) +
      0.15 * (attribute ? confidenceOf("failing-attribute") : 0) +
      0.1 * (slo?.value !== undefined ? 1 : 0);
  } else if (degraded.length) {
    cause = `${degraded.map((d) => d.service).join(" and ")} degraded: ${degraded.map((d) => d.description).join(" ")}`;
    recommendation = `The cause looks upstream: mitigate ${degraded.map((d) => d.service).join(", ")} (or shed/cache calls to it from ${service}).`;
    confidence = 0.4;
  } else {
    recommendation =
      "Cause not determined: no clear error signature and no suspect change. Gather what is missing below, check the breakdown of failing requests and recent deploys by hand.";
    confidence = 0.1;
  }
  if (conclusions.runbook)
    recommendation += ` Runbook: ${conclusions.runbook.title} (${conclusions.runbook.path}).`;
  confidence = Math.max(0.05, Math.min(0.95, confidence - (cause ? penalty : 0)));
  confidence = Math.round(confidence * 100) / 100;

  const sentences = [fires];
  if (cause) sentences.push(`Cause: ${cause}.`);
  else sentences.push("The cause is not determined from the evidence (low confidence).");
  if (suspect)
    sentences.push(
      `Suspect change: ${suspect.commit.slice(0, 10)} "${suspect.subject}" by ${suspect.author} (${suspect.authorDate}).`,
    );
  sentences.push(`Fix: ${recommendation}`);
  if (missingEvidence.some((m) => !m.startsWith("alert rule") && !m.startsWith("runbooks")))
    sentences.push("Some evidence was missing, which lowers confidence (see Missing evidence).");
  return {
    ...(cause ? { cause } : {}),
    recommendation,
    confidence,
    summary: sentences.join(" "),
    missingEvidence,
  };
}

function frameWhere(frame: { file: string; line: number; function?: string } | undefined): string {
  return frame ? ` at ${frame.file}:${frame.line}${frame.function ? ` in ${frame.function}` : ""}` : "";
}

function clip(text: string, max: number): string {
  const one = text.replace(/\s+/g, " ").trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
