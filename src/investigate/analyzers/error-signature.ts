import type { LogEntry } from "../evidence/logs.js";
import { messageOf } from "../evidence/logs.js";
import { TemplateMiner } from "../mining/drain.js";
import { type ParsedException, parseException } from "../mining/traceback.js";
import type { ErrorSignature } from "../report.js";
import type { Analyzer, AnalyzerResult } from "./analyzer.js";

/**
 * The error that characterizes the incident: error-level log entries and exceptions in the alert
 * window and before it are mined into templates (an exception's key is its type and message), and
 * ranked by how much more often they occur in the window than the baseline predicts. The top one,
 * if clearly there, is the signature; its exception (type, message, frames) comes from the trace.
 */

const name = "error-signature";
const errorLevel =
  /\b(ERROR|FATAL|CRITICAL|SEVERE|PANIC|EMERG)\b|\blevel"?\s*[:=]\s*"?(error|fatal|critical)\b/i;
const minOccurrences = 3;
/** A baseline shorter than this (or than the window) cannot tell chronic errors from new ones. */
const minBaselineMs = 30_000;
const maxSampleLines = 40;
const shownTemplates = 5;

interface Tally {
  id: number;
  inWindow: number;
  before: number;
  sample?: string;
  exception?: ParsedException;
}

export const errorSignatureAnalyzer: Analyzer = {
  name,
  analyze(ctx): AnalyzerResult {
    const logs = ctx.evidence.logs;
    if (!logs.available) {
      return {
        findings: [
          {
            analyzer: name,
            title: "No error signature: the logs are unavailable",
            detail: logs.reason,
            confidence: 0,
          },
        ],
      };
    }
    const { inWindow, before, windowMs, beforeMs } = logs.value;
    const miner = new TemplateMiner();
    const tallies = new Map<number, Tally>();
    const visit = (entry: LogEntry, span: "inWindow" | "before") => {
      const exception = parseException(entry.text);
      if (!exception && !errorLevel.test(entry.text.split("\n", 1)[0] ?? "")) return;
      const key = exception
        ? `${exception.type}: ${exception.message.split("\n", 1)[0]}`
        : messageOf(entry.text, ctx.service);
      const { templateId } = miner.add(key);
      let tally = tallies.get(templateId);
      if (!tally) {
        tally = { id: templateId, inWindow: 0, before: 0 };
        tallies.set(templateId, tally);
      }
      tally[span]++;
      if (span === "inWindow" && !tally.sample) {
        tally.sample = capLines(entry.text, maxSampleLines);
        if (exception) tally.exception = exception;
      }
    };
    for (const e of before) visit(e, "before");
    for (const e of inWindow) visit(e, "inWindow");

    const templates = new Map(miner.templates().map((t) => [t.id, t.template]));
    const baselineUsable = beforeMs >= Math.max(minBaselineMs, Math.min(windowMs, 5 * 60_000));
    const expected = (t: Tally) => (baselineUsable ? (t.before * windowMs) / beforeMs : 0);
    const ranked = [...tallies.values()]
      .filter((t) => t.inWindow > 0)
      .sort((a, b) => b.inWindow - expected(b) - (a.inWindow - expected(a)) || b.inWindow - a.inWindow);
    const errorTemplates = ranked.slice(0, shownTemplates).map((t) => ({
      template: templates.get(t.id) ?? "",
      countInWindow: t.inWindow,
      countBefore: t.before,
    }));
    const evidence = [logs.value.action];
    const table = templateTable(errorTemplates, baselineUsable, beforeMs);
    const top = ranked[0];
    if (!top) {
      return {
        findings: [
          {
            analyzer: name,
            title: "No error signature: no error-level entries or exceptions in the alert window",
            detail: `${inWindow.length} log entries in the window, none at error level or carrying a stack trace.`,
            confidence: 0.1,
            evidence,
          },
        ],
        conclusions: { errorTemplates },
      };
    }
    const totalErrors = ranked.reduce((sum, t) => sum + t.inWindow, 0);
    const growth = baselineUsable && top.before > 0 ? top.inWindow / expected(top) : Infinity;
    const template = templates.get(top.id) ?? "";
    const problems: string[] = [];
    if (top.inWindow < minOccurrences)
      problems.push(`it occurred only ${top.inWindow} time(s) in the window`);
    if (growth < 2)
      problems.push(`it occurred at a similar rate before the window (${top.before} times): a chronic error`);
    if (problems.length) {
      return {
        findings: [
          {
            analyzer: name,
            title: "No clear error signature",
            detail: `The most frequent error in the window is \`${template}\`, but ${problems.join(" and ")}.\n\n${table}`,
            confidence: 0.2,
            evidence,
          },
        ],
        conclusions: { errorTemplates },
      };
    }
    const exception = top.exception;
    let confidence = 0.55;
    if (baselineUsable) confidence += 0.15;
    if (exception?.frames.length) confidence += 0.15;
    if (top.inWindow / totalErrors >= 0.5) confidence += 0.1;
    const signature: ErrorSignature = {
      template,
      ...(exception ? { exceptionType: exception.type, message: exception.message.split("\n", 1)[0] } : {}),
      ...(!exception ? { message: messageOf(top.sample ?? "", ctx.service) } : {}),
      countInWindow: top.inWindow,
      countBefore: top.before,
      sample: top.sample ?? "",
      frames: exception?.frames.map((f) => ({ ...f })) ?? [],
    };
    const baseline = baselineUsable
      ? top.before === 0
        ? `new: absent from the ${seconds(beforeMs)} before the window`
        : `grown ${growth.toFixed(1)}× over the ${seconds(beforeMs)} before the window`
      : `no usable baseline (${seconds(beforeMs)} of logs before the window), so ranked by count in the window`;
    return {
      findings: [
        {
          analyzer: name,
          title: `Top error: ${exception ? `${exception.type}: ${signature.message}` : signature.message}`,
          detail:
            `\`${template}\` occurred ${top.inWindow} times in the window (${share(top.inWindow, totalErrors)} of error entries); ${baseline}.` +
            `${exception?.cause ? ` Raised while handling ${rootType(exception)}.` : ""}\n\n${table}`,
          confidence: Math.min(0.95, confidence),
          evidence,
        },
      ],
      conclusions: { errorSignature: signature, errorTemplates },
    };
  },
};

function templateTable(
  rows: { template: string; countInWindow: number; countBefore: number }[],
  baselineUsable: boolean,
  beforeMs: number,
): string {
  const head = `| error template | in window | before (${seconds(beforeMs)}${baselineUsable ? "" : ", too short to compare"}) |\n|---|---:|---:|`;
  return [
    head,
    ...rows.map((r) => `| \`${r.template.replace(/\|/g, "\\|")}\` | ${r.countInWindow} | ${r.countBefore} |`),
  ].join("\n");
}

function rootType(e: ParsedException): string {
  let current = e.cause;
  while (current?.cause) current = current.cause;
  return current ? `${current.type}: ${current.message.split("\n", 1)[0]}` : "";
}

function capLines(text: string, max: number): string {
  const lines = text.split("\n");
  return lines.length > max
    ? [...lines.slice(0, max), `… (${lines.length - max} more lines)`].join("\n")
    : text;
}

function share(part: number, total: number): string {
  return `${Math.round((part / total) * 100)}%`;
}

function seconds(ms: number): string {
  return ms >= 120_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
