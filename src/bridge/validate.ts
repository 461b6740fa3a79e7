import { lstat, readlink } from "node:fs/promises";
import path from "node:path";
import { createWorkspace, git, gitFailure } from "../util/git.js";
import { type CheckSpec, runCheck } from "./check.js";
import { diffStats, type FileDiff, parseDiff, stripComponent } from "./diff.js";
import type { Validation } from "./strategy.js";

export interface PatchLimits {
  maxBytes: number;
  /** Lines added plus lines removed. */
  maxChangedLines: number;
}

/** A fix is small; anything past these is not a candidate we would ask a human to review. */
export const defaultLimits: PatchLimits = { maxBytes: 256 * 1024, maxChangedLines: 2000 };

export interface ValidationTarget {
  repo: string;
  head: string;
  check?: CheckSpec;
  limits: PatchLimits;
}

const symlinkMode = "120000";
const submoduleMode = "160000";

/**
 * Every candidate passes here before it is offered: size, paths that stay inside the repo, no
 * symlinks or binaries, applies cleanly to HEAD in a private clone, and the manifest's check passes
 * on the patched clone. The service's own repo is only cloned from, never written.
 */
export async function validateDiff(diff: string, target: ValidationTarget): Promise<Validation> {
  const bytes = Buffer.byteLength(diff, "utf8");
  if (bytes > target.limits.maxBytes)
    return rejected(`the diff is ${bytes} bytes, over the ${target.limits.maxBytes}-byte limit`);
  if (!diff.trim()) return rejected("the diff is empty");
  const files = parseDiff(diff);
  if (files.length === 0)
    return rejected("not a unified diff: no file headers (---/+++ or diff --git) found");
  const stats = diffStats(files);
  const changed = stats.linesAdded + stats.linesRemoved;
  const reasons = files.flatMap(fileProblems);
  if (changed > target.limits.maxChangedLines)
    reasons.push(`the diff changes ${changed} lines, over the ${target.limits.maxChangedLines}-line limit`);
  if (reasons.length > 0) return { ok: false, reasons };

  const ws = await createWorkspace(target.repo, "validate");
  try {
    if (ws.head !== target.head)
      return rejected(`the repo's HEAD moved from ${short(target.head)} to ${short(ws.head)} during the run`);
    const paths = files.flatMap((f) => [f.oldPath, f.newPath]).filter((p): p is string => p !== undefined);
    const throughLinks = (await Promise.all([...new Set(paths)].map((p) => symlinkOnPath(ws.dir, p)))).filter(
      (r): r is string => r !== undefined,
    );
    if (throughLinks.length > 0) return { ok: false, reasons: throughLinks };
    try {
      await git(ws.dir, ["apply", "--check", "--whitespace=nowarn", "-"], { input: diff });
    } catch (err) {
      return rejected(`does not apply cleanly to HEAD ${short(target.head)}: ${gitFailure(err)}`);
    }
    await git(ws.dir, ["apply", "--whitespace=nowarn", "-"], { input: diff });
    if (target.check) {
      const result = await runCheck(target.check, ws.dir);
      if (!result.ok)
        return rejected(
          `check \`${target.check.argv.join(" ")}\` failed (${result.ended})${result.output ? `:\n${result.output}` : ""}`,
        );
    }
    return { ok: true, stats };
  } finally {
    await ws.remove();
  }
}

function rejected(reason: string): Validation {
  return { ok: false, reasons: [reason] };
}

function short(commit: string): string {
  return commit.slice(0, 12);
}

/** What is wrong with one file section on its face, before anything is applied. */
function fileProblems(file: FileDiff): string[] {
  const name = file.newPath ?? file.oldPath ?? file.headerPaths.at(-1) ?? "(unnamed file)";
  const problems = file.headerPaths.flatMap(pathProblems);
  if (file.newMode === symlinkMode && file.oldMode !== symlinkMode)
    problems.push(`${name}: creates a symlink (mode ${symlinkMode})`);
  else if (file.oldMode === symlinkMode || file.newMode === symlinkMode)
    problems.push(`${name}: changes a symlink (mode ${symlinkMode})`);
  if (file.oldMode === submoduleMode || file.newMode === submoduleMode)
    problems.push(`${name}: changes a submodule`);
  if (file.binary) problems.push(`${name}: binary patch`);
  if (!file.oldPath && !file.newPath) problems.push(`${name}: no path inside the repo`);
  return [...new Set(problems)];
}

function pathProblems(raw: string): string[] {
  if (raw === "/dev/null") return [];
  const repoPath = stripComponent(raw);
  if (raw.startsWith("/") || repoPath.startsWith("/")) return [`${raw}: absolute path`];
  if (repoPath === "") return [`${raw}: empty path`];
  const parts = repoPath.split("/");
  if (parts.includes("..")) return [`${repoPath}: path leaves the repo ('..')`];
  if (parts.some((p) => p.toLowerCase() === ".git")) return [`${repoPath}: writes inside .git`];
  return [];
}

/** A patch must edit real files: no path component may be a symlink in the checkout at HEAD. */
async function symlinkOnPath(checkout: string, repoPath: string): Promise<string | undefined> {
  const parts = repoPath.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join("/");
    const full = path.join(checkout, prefix);
    const stat = await lstat(full).catch(() => undefined);
    if (!stat) return undefined;
    if (stat.isSymbolicLink()) {
      const target = await readlink(full);
      const resolved = path.resolve(path.dirname(full), target);
      const inside = resolved === checkout || resolved.startsWith(`${checkout}${path.sep}`);
      const what = i === parts.length ? "is a symlink" : `goes through symlink ${prefix}`;
      return `${repoPath}: ${what} → ${target}${inside ? "" : " (outside the repo)"}`;
    }
  }
  return undefined;
}
