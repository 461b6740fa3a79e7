import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import type { Report, StackFrame, SuspectChange } from "../../src/investigate/report.js";

/** A file's new content, a symlink to create, or null to delete it. */
export type FileChange = string | { symlink: string } | null;

export interface TestRepo {
  dir: string;
  /** Commits the changes with a fixed author, committer and date; returns the full hash. */
  commit(message: string, files: Record<string, FileChange>): string;
  git(...args: string[]): string;
}

const baseDate = Date.parse("2024-03-01T09:00:00Z") / 1000;

export function makeRepo(dir: string): TestRepo {
  mkdirSync(dir, { recursive: true });
  let commits = 0;
  const git = (...args: string[]) => {
    const date = `${baseDate + commits * 3600} +0000`;
    return execFileSync("git", ["-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", ...args], {
      cwd: dir,
      encoding: "utf8",
      env: {
        ...process.env,
        GIT_CONFIG_NOSYSTEM: "1",
        GIT_AUTHOR_NAME: "Dev One",
        GIT_AUTHOR_EMAIL: "dev@example.test",
        GIT_COMMITTER_NAME: "Dev One",
        GIT_COMMITTER_EMAIL: "dev@example.test",
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      },
    });
  };
  git("init", "-q", "-b", "main");
  return {
    dir,
    git,
    commit(message, files) {
      for (const [name, change] of Object.entries(files)) {
        const file = path.join(dir, name);
        rmSync(file, { force: true });
        if (change === null) continue;
        mkdirSync(path.dirname(file), { recursive: true });
        if (typeof change === "string") writeFileSync(file, change);
        else symlinkSync(change.symlink, file);
      }
      git("add", "-A");
      git("commit", "-q", "-m", message);
      commits++;
      return git("rev-parse", "HEAD").trim();
    },
  };
}

/** Every file and folder under `dir` (its .git included): kind, mode, mtime and content hash. */
export function snapshot(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  const walk = (rel: string) => {
    const full = path.join(dir, rel);
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) entries.set(rel, `link ${readlinkSync(full)} ${stat.mtimeMs}`);
    else if (stat.isDirectory()) {
      entries.set(rel, `dir ${stat.mode} ${stat.mtimeMs}`);
      for (const name of readdirSync(full)) walk(path.join(rel, name));
    } else {
      const hash = createHash("sha256").update(readFileSync(full)).digest("hex");
      entries.set(rel, `file ${stat.mode} ${stat.mtimeMs} ${hash}`);
    }
  };
  walk(".");
  return entries;
}

/**
 * The service repo is exactly as it was: same files, contents and mtimes (in .git too, so no new
 * refs, worktrees or index writes), same HEAD, clean status. `git status` runs last: it may
 * refresh the index itself.
 */
export function expectUntouched(repo: TestRepo, before: Map<string, string>, head: string): void {
  expect(snapshot(repo.dir)).toEqual(before);
  expect(repo.git("rev-parse", "HEAD").trim()).toBe(head);
  expect(repo.git("worktree", "list", "--porcelain").match(/^worktree /gm)).toHaveLength(1);
  expect(repo.git("status", "--porcelain")).toBe("");
}

export function makeReport(
  parts: {
    service?: string;
    frames?: StackFrame[];
    suspect?: Partial<SuspectChange> & { commit: string };
  } = {},
): Report {
  const { service = "shop", frames, suspect } = parts;
  return {
    alert: {} as Report["alert"],
    service,
    generatedAt: "2024-03-02T10:00:00Z",
    summary: "error rate above SLO",
    errorSignature: frames
      ? {
          template: "ValueError: unsupported shape for item_id=<*>",
          countInWindow: 40,
          countBefore: 0,
          sample: "ValueError: unsupported shape for item_id=item-1-3",
          frames,
        }
      : undefined,
    failingAttributes: [],
    suspectChange: suspect
      ? {
          author: "Dev One",
          authorDate: "",
          subject: "refactor",
          hunk: "",
          reason: "blame",
          files: [],
          ...suspect,
        }
      : undefined,
    downstream: [],
    recommendation: "revert the suspect change",
    findings: [],
    missingEvidence: [],
    confidence: 0.8,
    evidenceLog: [],
  };
}

/** Applies a diff (if any) to a fresh clone of `repo` and runs a Python snippet there; returns its stdout. */
export function runPatched(repoDir: string, diff: string, scratch: string, python: string): string {
  const clone = path.join(mkdtempSync(path.join(scratch, "patched-")), "src");
  execFileSync("git", ["clone", "-q", repoDir, clone]);
  if (diff) execFileSync("git", ["apply", "-"], { cwd: clone, input: diff });
  return execFileSync("python3", ["-c", python], { cwd: clone, encoding: "utf8", stdio: "pipe" });
}
