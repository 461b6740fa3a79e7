import { z } from "zod";
import type { ModelCallRecord } from "../../llm/session.js";
import type { EvidenceRecord, Finding, Report } from "../report.js";

/**
 * The model's conclusions, submitted through the `submit_report` tool, and how they enter the
 * report: same sections and JSON as the deterministic one, the model's narrative in place of the
 * engine's, its findings added after the analyzers', everything it ran in the evidence log.
 */
export const answerSchema = z.strictObject({
  summary: z.string().min(1).max(4000).describe("3–6 sentences: what fires, why, what to do"),
  cause: z
    .string()
    .min(1)
    .max(600)
    .optional()
    .describe("one line naming the cause; omit when the evidence does not determine one"),
  recommendation: z.string().min(1).max(2000).describe("the smallest safe fix or next step"),
  confidence: z.number().min(0).max(1).describe("0..1, how strongly the evidence supports the cause"),
  findings: z
    .array(
      z.strictObject({
        title: z.string().min(1).max(300),
        detail: z.string().max(4000),
        evidence: z
          .array(z.string().max(500))
          .max(20)
          .default([])
          .describe("the tool calls, queries, log lines or commits this finding rests on"),
      }),
    )
    .max(12)
    .default([]),
});

export type ModelAnswer = z.infer<typeof answerSchema>;

/** How far a cause only the model names is trusted: its own confidence is a claim, not evidence. */
const modelOnlyConfidenceCap = 0.5;

export function mergeAnswer(
  report: Report,
  answer: ModelAnswer,
  spec: string,
  records: { tools: EvidenceRecord[]; calls: ModelCallRecord[] },
): Report {
  const findings: Finding[] = answer.findings.map((f) => ({
    analyzer: "model",
    title: f.title,
    detail: f.detail,
    confidence: answer.confidence,
    ...(f.evidence.length ? { evidence: f.evidence } : {}),
  }));
  const cause = answer.cause ?? report.cause;
  return {
    ...report,
    generatedAt: new Date().toISOString(),
    model: spec,
    summary: answer.summary,
    ...(cause ? { cause } : {}),
    recommendation: answer.recommendation,
    findings: [...report.findings, ...findings],
    // The analyzers' confidence rests on measured evidence; keep it when they stated a cause.
    confidence: report.cause
      ? report.confidence
      : Math.round(Math.min(answer.confidence, modelOnlyConfidenceCap) * 100) / 100,
    evidenceLog: [...report.evidenceLog, ...records.tools, ...records.calls.map((c) => callRecord(spec, c))],
  };
}

/** The deterministic report, saying why the model did not add to it. */
export function withModelFailure(
  report: Report,
  spec: string,
  reason: string,
  records: { tools: EvidenceRecord[]; calls: ModelCallRecord[] },
): Report {
  return {
    ...report,
    missingEvidence: [
      ...report.missingEvidence,
      `model ${spec}: not used — ${reason}; this report is the deterministic engine's alone.`,
    ],
    evidenceLog: [...report.evidenceLog, ...records.tools, ...records.calls.map((c) => callRecord(spec, c))],
  };
}

function callRecord(spec: string, call: ModelCallRecord): EvidenceRecord {
  return {
    source: "model",
    action: `${spec} ${call.purpose}`,
    startedAt: call.startedAt,
    durationMs: call.durationMs,
    ok: call.ok,
    ...(call.note ? { note: call.note } : {}),
  };
}
