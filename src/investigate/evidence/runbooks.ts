import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import type { EvidenceSource, GatherContext, Gathered, SourceRecorder } from "./evidence.js";

/** The markdown runbooks in the manifest's `runbooks` folder, with their front matter read. */
export interface RunbookDoc {
  /** Relative to the runbooks folder. */
  path: string;
  title: string;
  /** Front matter `alerts:`. */
  alerts: string[];
  /** Front matter `service:` (or `services:`). */
  services: string[];
  body: string;
}

const maxDocs = 200;
const maxDocChars = 256 * 1024;

export const runbooksSource: EvidenceSource<RunbookDoc[]> = {
  name: "runbooks",
  async gather(ctx: GatherContext, recorder: SourceRecorder): Promise<Gathered<RunbookDoc[]>> {
    const dir = ctx.envm.manifest.runbooks;
    if (!dir) return { available: false, reason: "the manifest names no runbooks folder" };
    const listed = await recorder.run(
      `list ${dir}`,
      async () => (await readdir(dir, { recursive: true })).filter((f) => f.endsWith(".md")).sort(),
      (files) => `${files.length} markdown files`,
    );
    if (!listed.ok) return { available: false, reason: `cannot read the runbooks folder: ${listed.reason}` };
    const docs: RunbookDoc[] = [];
    for (const file of listed.value.slice(0, maxDocs)) {
      const read = await recorder.run(`read ${path.join(dir, file)}`, () =>
        readFile(path.join(dir, file), "utf8"),
      );
      if (read.ok) docs.push(parseRunbook(file, read.value.slice(0, maxDocChars)));
    }
    return { available: true, value: docs };
  },
};

export function parseRunbook(file: string, text: string): RunbookDoc {
  const front = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?/.exec(text);
  let meta: Record<string, unknown> = {};
  if (front) {
    try {
      const parsed: unknown = parse(front[1] as string);
      if (parsed && typeof parsed === "object") meta = parsed as Record<string, unknown>;
    } catch {
      // A runbook with broken front matter is still matched by its title and file name.
    }
  }
  const body = front ? text.slice(front[0].length) : text;
  const heading = /^#\s+(.+)$/m.exec(body)?.[1]?.trim();
  return {
    path: file,
    title: typeof meta.title === "string" ? meta.title : (heading ?? path.basename(file, ".md")),
    alerts: strings(meta.alerts ?? meta.alert),
    services: strings(meta.services ?? meta.service),
    body,
  };
}

function strings(v: unknown): string[] {
  if (typeof v === "string") return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}
