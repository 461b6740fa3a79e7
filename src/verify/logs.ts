import { splitEntries } from "../investigate/evidence/logs.js";
import { TemplateMiner } from "../investigate/mining/drain.js";
import { redactText } from "../util/redact.js";
import type { ErrorSignature } from "./verdict.js";

export interface LogOptions {
  /** Regex a log entry's first line starts with (manifest `logs.entryStart`); other lines continue it. */
  entryStart: string;
  /** Secret values to hide in samples. */
  secrets: readonly string[];
}

/** An error-level entry: a bare upper-case level word, or a logfmt/JSON level field. */
const levelWord = /\b(ERROR|CRITICAL|FATAL|PANIC|SEVERE)\b/;
const levelField = /\blevel=(error|fatal|critical|panic)\b|"level"\s*:\s*"(error|fatal|critical|panic)"/i;
const traceHeader = /^(Traceback \(most recent call last\):|goroutine \d+ \[)/;
const sampleChars = 400;

/**
 * Error log templates of the patched run that the baseline's log lacks (what the patch made the
 * service newly complain about), and the baseline's that the patched run no longer logs (what it
 * fixed). Each error entry is reduced to its signature line (a multi-line entry's exception line,
 * e.g. `ValueError: unsupported catalog shape for item_id=item-113-3`) and mined with Drain, so ids
 * and numbers do not make every occurrence new.
 */
export function errorSignatureDiff(
  baselineLog: string,
  patchedLog: string,
  options: LogOptions,
): { new: ErrorSignature[]; resolved: ErrorSignature[] } {
  const baseline = errorEntries(baselineLog, options.entryStart);
  const patched = errorEntries(patchedLog, options.entryStart);
  const baseMiner = new TemplateMiner({ maxSamples: 1 });
  const baseSamples = new Map<number, string>();
  for (const e of baseline) {
    const mined = baseMiner.add(e.signature);
    if (!baseSamples.has(mined.templateId)) baseSamples.set(mined.templateId, e.sample);
  }
  const seenInPatched = new Set<number>();
  const newMiner = new TemplateMiner({ maxSamples: 1 });
  const newSamples = new Map<number, string>();
  for (const e of patched) {
    const known = baseMiner.match(e.signature);
    if (known) {
      seenInPatched.add(known.id);
      continue;
    }
    const mined = newMiner.add(e.signature);
    if (!newSamples.has(mined.templateId)) newSamples.set(mined.templateId, e.sample);
  }
  const signature =
    (samples: Map<number, string>) => (t: { id: number; template: string; count: number }) => ({
      template: t.template,
      count: t.count,
      sample: redactText(samples.get(t.id) ?? "", options.secrets),
    });
  return {
    new: newMiner.templates().map(signature(newSamples)),
    resolved: baseMiner
      .templates()
      .filter((t) => !seenInPatched.has(t.id))
      .map(signature(baseSamples)),
  };
}

interface ErrorEntry {
  signature: string;
  sample: string;
}

function errorEntries(log: string, entryStart: string): ErrorEntry[] {
  const out: ErrorEntry[] = [];
  for (const entry of splitEntries(log, new RegExp(entryStart))) {
    const lines = entry.text.split("\n");
    const first = lines[0] ?? "";
    const hasTrace = lines.slice(1).some((l) => traceHeader.test(l));
    if (!hasTrace && !levelWord.test(first) && !levelField.test(first)) continue;
    const signature = exceptionLine(lines) ?? first;
    const sample = (signature === first ? first : `${first}\n${signature}`).slice(0, sampleChars);
    out.push({ signature, sample });
  }
  return out;
}

/** The last unindented continuation line (Python's exception, Java's root cause), if any. */
function exceptionLine(lines: readonly string[]): string | undefined {
  for (let i = lines.length - 1; i >= 1; i--) {
    const line = lines[i] as string;
    if (line.trim() && !/^\s/.test(line) && !traceHeader.test(line)) return line.trim();
  }
  return undefined;
}
