import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { createWorkspace, git } from "../util/git.js";
import type { FileDiff, Hunk } from "./diff.js";

export interface RevertPlan {
  repo: string;
  /** The suspect commit and the commit its diff was taken against. */
  commit: string;
  parent: string;
  /** The commit's diff (`git diff --no-renames parent commit`), parsed. */
  files: readonly FileDiff[];
  /** Which hunks to undo; `all` undoes the whole commit. */
  hunks: ReadonlySet<Hunk> | "all";
}

/** `git diff` options that keep the output in the one format we parse, whatever the user's config says. */
export const plainDiffOptions = [
  "--no-renames",
  "--no-ext-diff",
  "--no-textconv",
  "--no-color",
  "--src-prefix=a/",
  "--dst-prefix=b/",
  "--unified=3",
];

export type RevertOutcome = { diff: string } | { failure: string };

/**
 * Undoes hunks of a past commit on top of the current HEAD, in a private clone: each touched file
 * is three-way merged (HEAD's version, the commit's version as base, the commit's version with the
 * hunks undone), so later edits elsewhere in the file are kept and edits to the same lines are a
 * conflict, never a broken patch. Returns the result as a diff against HEAD.
 */
export async function revertOnHead(plan: RevertPlan): Promise<RevertOutcome> {
  const ws = await createWorkspace(plan.repo, "revert");
  try {
    const scratch = path.join(ws.dir, ".git", "fixloop-merge");
    await mkdir(scratch);
    const selected = plan.hunks;
    for (const file of plan.files) {
      const chosen = selected === "all" ? file.hunks : file.hunks.filter((h) => selected.has(h));
      if (selected !== "all" && chosen.length === 0) continue;
      const failure = await revertFile(
        plan,
        file,
        chosen,
        chosen.length === file.hunks.length,
        ws.dir,
        scratch,
      );
      if (failure) return { failure };
    }
    await rm(scratch, { recursive: true });
    await git(ws.dir, ["add", "-A"]);
    const diff = await git(ws.dir, ["diff", "--cached", ...plainDiffOptions, "HEAD"]);
    return { diff };
  } finally {
    await ws.remove();
  }
}

/** Writes one file's reverted version into the clone; returns why it cannot be done, if so. */
async function revertFile(
  plan: RevertPlan,
  file: FileDiff,
  hunks: Hunk[],
  whole: boolean,
  checkout: string,
  scratch: string,
): Promise<string | undefined> {
  const name = (file.newPath ?? file.oldPath) as string;
  if (file.binary) return `${name} is a binary file; fixloop does not offer binary patches`;
  // A mode-only change has no text to undo; the fix is about content.
  if (file.oldPath && file.newPath && hunks.length === 0) return undefined;
  const target = path.join(checkout, name);
  const atHead = await show(checkout, "HEAD", name);
  const atCommit = file.newPath ? await show(checkout, plan.commit, file.newPath) : undefined;
  const before = file.oldPath ? await show(checkout, plan.parent, file.oldPath) : undefined;

  if (atCommit === undefined) {
    // The commit deleted the file: bring it back unless something else took its place since.
    if (atHead !== undefined && atHead !== before)
      return `${name} was deleted by the commit and re-created since`;
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, before ?? "");
    return undefined;
  }
  if (atHead === undefined) return `${name} was deleted after the commit`;
  if (before === undefined && whole) {
    // The commit created the file: remove it, unless later commits built on it.
    if (atHead !== atCommit) return `${name} was created by the commit and changed since`;
    await rm(target);
    return undefined;
  }
  const undone = undoHunks(atCommit, hunks);
  if (undone === undefined)
    return `${name}: the commit's diff does not match its own file (internal inconsistency)`;
  if (atHead === atCommit) {
    await writeFile(target, undone);
    return undefined;
  }
  const base = path.join(scratch, "base");
  const theirs = path.join(scratch, "undone");
  await writeFile(base, atCommit);
  await writeFile(theirs, undone);
  try {
    const merged = await git(checkout, ["merge-file", "-p", "--quiet", target, base, theirs]);
    await writeFile(target, merged);
    return undefined;
  } catch {
    const lines = hunks.map((h) => `${h.newStart}–${h.newStart + Math.max(h.newLines, 1) - 1}`).join(", ");
    return `reverting ${name} (lines ${lines} of ${plan.commit.slice(0, 12)}) conflicts with later commits that changed the same lines`;
  }
}

async function show(checkout: string, commit: string, file: string): Promise<string | undefined> {
  return git(checkout, ["show", `${commit}:${file}`]).catch(() => undefined);
}

/**
 * The commit's version of a file with the given hunks put back as they were. Works bottom-up on
 * lines that keep their terminators, so "\ No newline at end of file" round-trips exactly.
 */
export function undoHunks(content: string, hunks: readonly Hunk[]): string | undefined {
  const lines = content.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  for (const hunk of [...hunks].sort((a, b) => b.newStart - a.newStart)) {
    const { before, after } = hunkSides(hunk);
    const start = hunk.newLines === 0 ? hunk.newStart : hunk.newStart - 1;
    if (lines.slice(start, start + after.length).join("") !== after.join("")) return undefined;
    lines.splice(start, after.length, ...before);
  }
  return lines.join("");
}

/** The hunk's old (`-` and context) and new (`+` and context) lines, with their line endings. */
function hunkSides(hunk: Hunk): { before: string[]; after: string[] } {
  const before: string[] = [];
  const after: string[] = [];
  hunk.lines.forEach((line, i) => {
    if (line[0] === "\\") return;
    const ending = hunk.lines[i + 1]?.[0] === "\\" ? "" : "\n";
    const text = line.slice(1) + ending;
    if (line[0] !== "+") before.push(text);
    if (line[0] !== "-") after.push(text);
  });
  return { before, after };
}
