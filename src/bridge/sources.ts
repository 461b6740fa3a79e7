import path from "node:path";
import type { Report } from "../investigate/report.js";
import { git } from "../util/git.js";
import type { SourceFile } from "./strategy.js";

const maxSourceBytes = 256 * 1024;

/**
 * The repo files the failure runs through, at HEAD: the suspect change's file and every stack
 * frame that maps into the repo, with the lines they point at (innermost frame first).
 */
export async function failingSources(report: Report, repo: string, head: string): Promise<SourceFile[]> {
  const tracked = (await git(repo, ["ls-files", "-z"])).split("\0").filter(Boolean);
  const points: { file: string; line?: number; code?: string }[] = [
    ...(report.errorSignature?.frames ?? []),
    ...(report.suspectChange?.file
      ? [{ file: report.suspectChange.file, line: report.suspectChange.line }]
      : []),
  ];
  const sources = new Map<string, SourceFile>();
  for (const point of points) {
    const repoPath = repoPathOf(point.file, tracked);
    if (!repoPath) continue;
    let source = sources.get(repoPath);
    if (!source) {
      const content = await git(repo, ["show", `${head}:${repoPath}`]).catch(() => undefined);
      if (content === undefined || Buffer.byteLength(content) > maxSourceBytes) continue;
      source = { path: repoPath, content, lines: [] };
      sources.set(repoPath, source);
    }
    if (point.line === undefined || source.lines.includes(point.line)) continue;
    const text = source.content.split("\n")[point.line - 1];
    // A frame whose code differs from HEAD's line ran other code (a library file with the same name).
    if (text === undefined || (point.code && text.trim() !== point.code.trim())) continue;
    source.lines.push(point.line);
  }
  return [...sources.values()].filter((s) => s.lines.length > 0 || s.path === report.suspectChange?.file);
}

/**
 * Maps a file name from a running service (often absolute: /srv/app/releases/42/catalog.py) to
 * the tracked path it ends with; the longest match wins.
 */
export function repoPathOf(file: string, tracked: readonly string[]): string | undefined {
  const normalized = path.posix.normalize(file.replaceAll("\\", "/")).replace(/^\.\//, "");
  let best: string | undefined;
  for (const t of tracked) {
    if ((normalized === t || normalized.endsWith(`/${t}`)) && t.length > (best?.length ?? 0)) best = t;
  }
  return best;
}
