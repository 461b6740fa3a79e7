import type { AccessLogSpec } from "../manifest/schema.js";

/**
 * Access-log lines as the manifest describes them (`logs.access`): logfmt `k=v` pairs or a JSON
 * object, on lines containing the marker. Only the first line of an entry is read.
 */
export interface AccessRecord {
  status: number;
  durationMs?: number;
  fields: Record<string, string>;
}

export function parseAccessLine(line: string, spec: AccessLogSpec): AccessRecord | undefined {
  if (spec.marker && !line.includes(spec.marker)) return undefined;
  const fields = spec.format === "json" ? jsonFields(line) : logfmtFields(line);
  if (!fields) return undefined;
  const status = Number(fields[spec.statusField]);
  if (!Number.isInteger(status)) return undefined;
  const duration = Number(fields[spec.durationField]);
  return { status, ...(Number.isFinite(duration) ? { durationMs: duration } : {}), fields };
}

/** `k=v k2="quoted \"v\""` pairs anywhere on the line; other words are ignored. */
export function logfmtFields(line: string): Record<string, string> | undefined {
  const fields: Record<string, string> = {};
  const pair = /([A-Za-z_][\w.-]*)=("(?:[^"\\]|\\.)*"|[^\s"]*)/g;
  for (const m of line.matchAll(pair)) {
    const raw = m[2] as string;
    fields[m[1] as string] = raw.startsWith('"') ? unquote(raw) : raw;
  }
  return Object.keys(fields).length ? fields : undefined;
}

function unquote(raw: string): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

/** The JSON object on the line (after any prefix), flattened one level to strings. */
function jsonFields(line: string): Record<string, string> | undefined {
  const open = line.indexOf("{");
  if (open < 0) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.slice(open));
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return undefined;
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (v === null || v === undefined) continue;
    fields[k] = typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  return fields;
}
