import { readFile } from "node:fs/promises";
import path from "node:path";
import { git } from "../../util/git.js";
import { redactText } from "../../util/redact.js";
import type { EvidenceSource, GatherContext, Gathered, SourceRecorder } from "./evidence.js";

/**
 * The service's git repository, read-only: its files, recent commits, uncommitted changes, and on
 * demand `git blame` of a line, the hunk a commit introduced, and a search for literal text.
 * The working tree is what runs, so blame and reads look at it rather than at HEAD.
 */
export interface CommitInfo {
  sha: string;
  author: string;
  authorDate: string;
  committedAt: number;
  subject: string;
}

export interface BlamedLine {
  commit: CommitInfo | undefined;
  /** The line's number and file in the commit that introduced it. */
  originalLine: number;
  originalFile: string;
  text: string;
  /** Not committed yet: the working tree differs from HEAD on this line. */
  uncommitted: boolean;
}

export interface SourceEvidence {
  repo: string;
  head: string;
  files: string[];
  /** Newest first, committed at or before the alert started. */
  commitsBeforeAlert: CommitInfo[];
  /** Committed after the alert started: not running when it fired, so never suspects. */
  commitsAfterAlert: CommitInfo[];
  uncommitted: string[];
  /**
   * The repo file a path printed in a stack trace refers to, and, when the trace shows the line's
   * code, the repo's line there if it differs (then the repo is not what ran).
   */
  locate(
    printedPath: string,
    line: number,
    code?: string,
  ): Promise<{ file: string; differs?: string } | undefined>;
  blame(file: string, line: number): Promise<BlamedLine | undefined>;
  /** The hunk of `commit` in `file` containing `line` (a line number in that commit's version). */
  hunk(commit: string, file: string, line: number): Promise<string | undefined>;
  filesOf(commit: string): Promise<string[]>;
  /** Recent commits that changed any of these files, newest first. */
  commitsTouching(files: string[]): Promise<CommitInfo[]>;
  /** The commit's diff of one file. */
  diff(commit: string, file: string): Promise<string | undefined>;
  /** Tracked lines containing `text` literally. */
  grep(text: string): Promise<{ file: string; line: number; text: string }[]>;
  lineOf(file: string, line: number): Promise<string | undefined>;
}

const recentCommits = 30;
const maxFiles = 50_000;
const maxGrepHits = 50;
const maxHunkChars = 8 * 1024;
const gitTimeoutMs = 5000;
const fieldSep = "\x1f";
const commitFormat = ["%H", "%an", "%aI", "%ct", "%s"].join("%x1f");
/** Paths of installed libraries and runtimes: never the service's own code. */
const libraryPath =
  /(site-packages|dist-packages|node_modules|\/usr\/lib\/|\/usr\/local\/lib\/|\/usr\/local\/go\/|<frozen|node:internal|\/lib\/python\d)/;

export const sourceSource: EvidenceSource<SourceEvidence> = {
  name: "source",
  async gather(ctx: GatherContext, recorder: SourceRecorder): Promise<Gathered<SourceEvidence>> {
    const repo = ctx.spec.repo;
    if (!repo)
      return { available: false, reason: `services.${ctx.service}.repo is not set: no source to read` };
    const run = (args: string[]) =>
      recorder.run(`git -C ${repo} ${args.join(" ")}`, () =>
        git(repo, args, { timeoutMs: Math.min(gitTimeoutMs, recorder.timeLeftMs()) }),
      );
    const head = await run(["rev-parse", "--verify", "HEAD"]);
    if (!head.ok)
      return { available: false, reason: `${repo} is not a readable git repository: ${head.reason}` };
    const [listed, log, status] = await Promise.all([
      run(["ls-files", "-z"]),
      run(["log", `-n${recentCommits}`, `--format=${commitFormat}`]),
      run(["status", "--porcelain", "--untracked-files=no"]),
    ]);
    const files = listed.ok ? listed.value.split("\0").filter(Boolean).slice(0, maxFiles) : [];
    const commits = log.ok ? log.value.split("\n").filter(Boolean).map(parseCommit) : [];
    const alertStart = Date.parse(ctx.alert.startsAt) / 1000;
    const commitCache = new Map<string, CommitInfo>(commits.map((c) => [c.sha, c]));
    const fileCache = new Map<string, string[] | undefined>();

    const commitInfo = async (sha: string): Promise<CommitInfo | undefined> => {
      const cached = commitCache.get(sha);
      if (cached) return cached;
      const shown = await run(["show", "-s", `--format=${commitFormat}`, sha]);
      if (!shown.ok) return undefined;
      const info = parseCommit(shown.value.trim());
      commitCache.set(sha, info);
      return info;
    };
    const fileLines = async (file: string): Promise<string[] | undefined> => {
      if (!fileCache.has(file)) {
        const read = await recorder.run(`read ${file}`, () => readFile(path.join(repo, file), "utf8"));
        fileCache.set(file, read.ok ? read.value.split("\n") : undefined);
      }
      return fileCache.get(file);
    };
    const diffs = new Map<string, Promise<string | undefined>>();
    const diffOf = (commit: string, file: string) => {
      const key = `${commit}:${file}`;
      if (!diffs.has(key))
        diffs.set(
          key,
          run(["show", "--format=", "--no-color", "--unified=3", commit, "--", file]).then((o) =>
            o.ok ? o.value : undefined,
          ),
        );
      return diffs.get(key) as Promise<string | undefined>;
    };
    const lineOf = async (file: string, line: number) => {
      const text = (await fileLines(file))?.[line - 1];
      return text === undefined ? undefined : redactText(text, ctx.secrets);
    };

    return {
      available: true,
      value: {
        repo,
        head: head.value.trim(),
        files,
        commitsBeforeAlert: commits.filter((c) => c.committedAt <= alertStart),
        commitsAfterAlert: commits.filter((c) => c.committedAt > alertStart),
        uncommitted: status.ok
          ? status.value
              .split("\n")
              .filter(Boolean)
              .map((l) => l.slice(3))
          : [],
        lineOf,
        async locate(printedPath, line, code) {
          const file = locateInRepo(printedPath, repo, files);
          if (!file || code === undefined) return file ? { file } : undefined;
          const actual = (await fileLines(file))?.[line - 1]?.trim() ?? "";
          return actual === code.trim() ? { file } : { file, differs: redactText(actual, ctx.secrets) };
        },
        async blame(file, line) {
          const out = await run(["blame", "--porcelain", `-L${line},${line}`, "--", file]);
          if (!out.ok) return undefined;
          const blamed = parseBlame(out.value);
          if (!blamed) return undefined;
          const uncommitted = /^0+$/.test(blamed.sha);
          return {
            commit: uncommitted ? undefined : await commitInfo(blamed.sha),
            originalLine: blamed.originalLine,
            originalFile: blamed.originalFile ?? file,
            text: redactText(blamed.text, ctx.secrets),
            uncommitted,
          };
        },
        async hunk(commit, file, line) {
          const diff = await diffOf(commit, file);
          const hunk = diff && hunkContaining(diff, line);
          return hunk && redactText(hunk.slice(0, maxHunkChars), ctx.secrets);
        },
        async diff(commit, file) {
          const diff = await diffOf(commit, file);
          return diff && redactText(diff.slice(0, maxHunkChars), ctx.secrets);
        },
        async commitsTouching(paths) {
          const out = await run(["log", `-n${recentCommits}`, `--format=${commitFormat}`, "--", ...paths]);
          return out.ok ? out.value.split("\n").filter(Boolean).map(parseCommit) : [];
        },
        async filesOf(commit) {
          const out = await run(["show", "--name-only", "--format=", commit]);
          return out.ok ? out.value.split("\n").filter(Boolean) : [];
        },
        async grep(text) {
          // git grep exits 1 when nothing matches: that is an empty answer, not a failure.
          const out = await run(["grep", "-n", "-I", "-F", "--no-color", "-e", text, "--"]);
          if (!out.ok) return [];
          return out.value
            .split("\n")
            .filter(Boolean)
            .slice(0, maxGrepHits)
            .flatMap((l) => {
              const m = /^(.+?):(\d+):(.*)$/.exec(l);
              return m
                ? [
                    {
                      file: m[1] as string,
                      line: Number(m[2]),
                      text: redactText(m[3] as string, ctx.secrets),
                    },
                  ]
                : [];
            });
        },
      },
    };
  },
};

function parseCommit(line: string): CommitInfo {
  const [sha = "", author = "", authorDate = "", committedAt = "0", ...subject] = line.split(fieldSep);
  return { sha, author, authorDate, committedAt: Number(committedAt), subject: subject.join(fieldSep) };
}

/**
 * Maps a path from a stack trace to a tracked file: inside the repo it is the relative path;
 * elsewhere (a container, a copy) the tracked file sharing the longest path suffix. Library paths
 * never map, and a one-component match must be unambiguous.
 */
export function locateInRepo(
  printedPath: string,
  repo: string,
  files: readonly string[],
): string | undefined {
  const normalized = printedPath.replace(/\\/g, "/");
  if (path.isAbsolute(normalized) && normalized.startsWith(`${repo}/`)) {
    const rel = normalized.slice(repo.length + 1);
    return files.includes(rel) ? rel : undefined;
  }
  if (libraryPath.test(normalized)) return undefined;
  const parts = normalized.split("/").filter((p) => p && p !== ".");
  let best: string[] = [];
  let bestDepth = 0;
  for (const file of files) {
    const fileParts = file.split("/");
    let depth = 0;
    while (
      depth < fileParts.length &&
      depth < parts.length &&
      fileParts[fileParts.length - 1 - depth] === parts[parts.length - 1 - depth]
    )
      depth++;
    if (depth === 0 || depth < fileParts.length) continue; // the whole tracked path must be a suffix
    if (depth > bestDepth) {
      best = [file];
      bestDepth = depth;
    } else if (depth === bestDepth) best.push(file);
  }
  return best.length === 1 ? best[0] : undefined;
}

function parseBlame(
  porcelain: string,
): { sha: string; originalLine: number; originalFile?: string; text: string } | undefined {
  const lines = porcelain.split("\n");
  const head = /^([0-9a-f]{40}) (\d+) \d+/.exec(lines[0] ?? "");
  if (!head) return undefined;
  const filename = lines.find((l) => l.startsWith("filename "))?.slice("filename ".length);
  const text = lines.find((l) => l.startsWith("\t"))?.slice(1) ?? "";
  return {
    sha: head[1] as string,
    originalLine: Number(head[2]),
    ...(filename ? { originalFile: filename } : {}),
    text,
  };
}

/** The `@@` hunk of a one-file diff whose new side covers `line`. */
export function hunkContaining(diff: string, line: number): string | undefined {
  const hunks = diff.split(/\n(?=@@ )/).filter((h) => h.startsWith("@@ "));
  for (const hunk of hunks) {
    const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(hunk);
    if (!m) continue;
    const start = Number(m[1]);
    const count = m[2] === undefined ? 1 : Number(m[2]);
    if (line >= start && line < start + count) return hunk.trimEnd();
  }
  return undefined;
}
