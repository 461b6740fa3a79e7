import { redactText } from "../../util/redact.js";
import type { EvidenceSource, GatherContext, Gathered, SourceRecorder } from "./evidence.js";

/**
 * The service's captured logs, split into entries (a first line matching the manifest's
 * `logs.entryStart` plus its continuation lines, e.g. a traceback), redacted, and divided into the
 * alert window and the span before it.
 */
export interface LogEntry {
  /** Epoch ms of the entry's timestamp; entries without one inherit the previous entry's. */
  time: number | undefined;
  text: string;
}

export interface LogsEvidence {
  action: string;
  inWindow: LogEntry[];
  before: LogEntry[];
  /** Milliseconds of log actually covered before the window (the baseline may start later than asked). */
  beforeMs: number;
  windowMs: number;
  /** Entries with no timestamp at all: counted in the window, since their time is unknown. */
  untimed: number;
  /** The read stopped at the size cap, so older history is missing. */
  truncated: boolean;
}

const maxBytes = 8 * 1024 * 1024;
const maxEntriesPerSpan = 200_000;

export const logsSource: EvidenceSource<LogsEvidence> = {
  name: "logs",
  async gather(ctx: GatherContext, recorder: SourceRecorder): Promise<Gathered<LogsEvidence>> {
    const action = `runtime.readLogs(${ctx.service}, ${maxBytes} bytes)`;
    const read = await recorder.run(
      action,
      () => ctx.runtime.readLogs(ctx.service, maxBytes),
      (text) => `${text.length} characters`,
    );
    if (!read.ok) return { available: false, reason: `cannot read ${ctx.service}'s logs: ${read.reason}` };
    if (read.value.trim() === "")
      return { available: false, reason: `${ctx.service} has no captured log output` };
    let entryStart: RegExp;
    try {
      entryStart = new RegExp(ctx.spec.logs.entryStart);
    } catch (err) {
      return { available: false, reason: `logs.entryStart is not a valid regex: ${(err as Error).message}` };
    }
    const entries = splitEntries(read.value, entryStart).map((e) => ({
      ...e,
      text: redactText(e.text, ctx.secrets),
    }));
    const { start, end, beforeStart } = ctx.window;
    const inWindow: LogEntry[] = [];
    const before: LogEntry[] = [];
    let untimed = 0;
    let firstBefore: number | undefined;
    for (const entry of entries) {
      if (entry.time === undefined) {
        untimed++;
        inWindow.push(entry);
      } else if (entry.time >= start.getTime() && entry.time <= end.getTime()) inWindow.push(entry);
      else if (entry.time >= beforeStart.getTime() && entry.time < start.getTime()) {
        firstBefore ??= entry.time;
        before.push(entry);
      }
    }
    return {
      available: true,
      value: {
        action,
        inWindow: inWindow.slice(-maxEntriesPerSpan),
        before: before.slice(-maxEntriesPerSpan),
        beforeMs: firstBefore === undefined ? 0 : start.getTime() - firstBefore,
        windowMs: end.getTime() - start.getTime(),
        untimed,
        // readLogs returns the last maxBytes from a line boundary: near-full means older lines were cut.
        truncated: Buffer.byteLength(read.value) > maxBytes - 64 * 1024,
      },
    };
  },
};

/** Splits log text into entries; lines before the first entry start form their own entry. */
export function splitEntries(text: string, entryStart: RegExp): LogEntry[] {
  const entries: LogEntry[] = [];
  let current: string[] = [];
  let lastTime: number | undefined;
  const flush = () => {
    if (current.length === 0) return;
    const first = current[0] as string;
    const time = timestampOf(first) ?? lastTime;
    lastTime = time;
    entries.push({ time, text: current.join("\n").trimEnd() });
    current = [];
  };
  for (const line of text.split(/\r?\n/)) {
    if (entryStart.test(line)) flush();
    if (line !== "" || current.length > 0) current.push(line);
  }
  flush();
  return entries.filter((e) => e.text !== "");
}

const isoLike = /(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?\s?(Z|[+-]\d{2}:?\d{2})?/;

/** The ISO-8601-like timestamp near the start of a line, in epoch ms; no zone means UTC. */
export function timestampOf(line: string): number | undefined {
  const m = isoLike.exec(line.slice(0, 120));
  if (!m) return undefined;
  const fraction = m[3] ? `.${m[3].slice(0, 3).padEnd(3, "0")}` : "";
  const zone =
    !m[4] || m[4] === "Z" ? "Z" : m[4].includes(":") ? m[4] : `${m[4].slice(0, 3)}:${m[4].slice(3)}`;
  const t = Date.parse(`${m[1]}T${m[2]}${fraction}${zone}`);
  return Number.isNaN(t) ? undefined : t;
}

const leadingLevel =
  /^\[?(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|SEVERE|PANIC|EMERG)\]?:?\s+/i;

/**
 * The entry's first line without its leading timestamp and level, nor the logger name when it is
 * the service's: the message a template is mined from and a report quotes.
 */
export function messageOf(entryText: string, service?: string): string {
  const first = entryText.split("\n", 1)[0] ?? "";
  const m = isoLike.exec(first);
  let message = (m && m.index < 3 ? first.slice(m.index + m[0].length) : first).replace(/^[\s\]|:-]+/, "");
  message = message.replace(leadingLevel, "");
  if (service && message.startsWith(`${service} `)) message = message.slice(service.length + 1);
  return message.replace(leadingLevel, "");
}
