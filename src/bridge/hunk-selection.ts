import type { FileDiff, Hunk } from "./diff.js";

/** A line as the suspect commit wrote it: path and line number in the commit's own version. */
export interface CommitLine {
  path: string;
  line: number;
}

export interface HunkSelection {
  hunks: Set<Hunk>;
  /** How the first hunks were chosen, for the rationale. */
  seededBy: "failing lines" | "failing files";
}

/**
 * The smallest set of the commit's hunks that a revert must take together: the hunks that wrote
 * the failing lines (else every hunk in the files the failure runs through), plus every hunk that
 * defines a name those use or uses a name they define, transitively. Reverting a hunk without the
 * hunks it shares names with would leave a call to a removed helper, or a helper with no caller.
 */
export function selectHunks(
  files: readonly FileDiff[],
  failingLines: readonly CommitLine[],
  failingFiles: readonly string[],
): HunkSelection | undefined {
  const byLine = new Set<Hunk>();
  const byFile = new Set<Hunk>();
  for (const file of files) {
    const filePath = file.newPath ?? file.oldPath;
    for (const hunk of file.hunks) {
      const last = hunk.newStart + hunk.newLines - 1;
      if (failingLines.some((l) => l.path === filePath && l.line >= hunk.newStart && l.line <= last))
        byLine.add(hunk);
      if (filePath && failingFiles.includes(filePath)) byFile.add(hunk);
    }
  }
  const seeds = byLine.size > 0 ? byLine : byFile;
  if (seeds.size === 0) return undefined;
  return {
    hunks: closeOverNames(files, seeds),
    seededBy: byLine.size > 0 ? "failing lines" : "failing files",
  };
}

function closeOverNames(files: readonly FileDiff[], seeds: Set<Hunk>): Set<Hunk> {
  const all = files.flatMap((f) => f.hunks).map((hunk) => ({ hunk, ...namesOf(hunk) }));
  const selected = new Set(seeds);
  let grew = true;
  while (grew) {
    grew = false;
    for (const candidate of all) {
      if (selected.has(candidate.hunk)) continue;
      const linked = all.some(
        (s) =>
          selected.has(s.hunk) &&
          (intersects(s.defines, candidate.uses) || intersects(candidate.defines, s.uses)),
      );
      if (linked) {
        selected.add(candidate.hunk);
        grew = true;
      }
    }
  }
  return selected;
}

function intersects(a: Set<string>, b: Set<string>): boolean {
  for (const x of a) if (b.has(x)) return true;
  return false;
}

/** Definitions across common languages: def/class/function/fn/func/const/let/var/type, top-level assignments. */
const definitionPatterns = [
  /^\s*(?:export\s+)?(?:default\s+)?(?:async\s+)?(?:def|class|function\*?|fn|func|interface|type|enum|struct|trait)\s+(?:\([^)]*\)\s*)?([A-Za-z_$][\w$]*)/,
  /^\s*(?:export\s+)?(?:pub(?:\([^)]*\))?\s+)?(?:const|let|var|static)\s+(?:mut\s+)?([A-Za-z_$][\w$]*)/,
  /^([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=(?!=)/,
];
const importLine = /^\s*(?:from\s+\S+\s+)?import\b(.*)$/;
const importKeywords = new Set(["import", "from", "as", "type", "typeof"]);
const identifier = /[A-Za-z_$][\w$]*/g;

function namesOf(hunk: Hunk): { defines: Set<string>; uses: Set<string> } {
  const defines = new Set<string>();
  const uses = new Set<string>();
  for (const raw of hunk.lines) {
    if (raw[0] !== "+" && raw[0] !== "-") continue;
    const line = raw.slice(1).replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""');
    for (const name of line.match(identifier) ?? []) uses.add(name);
    const imported = importLine.exec(line);
    if (imported) {
      for (const name of imported[1]?.match(identifier) ?? [])
        if (!importKeywords.has(name)) defines.add(name);
      continue;
    }
    for (const pattern of definitionPatterns) {
      const name = pattern.exec(line)?.[1];
      if (name) defines.add(name);
    }
  }
  return { defines, uses };
}
