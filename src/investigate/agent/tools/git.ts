import { readFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { git } from "../../../util/git.js";
import { redactLines } from "../../../util/redact.js";
import { commitish, insideRepo, relativePath } from "./repo-path.js";
import { defineTool, repoOf, type ToolContext } from "./tool.js";

/** The alerting service's git history, read-only: log, blame of the working tree, show, grep. */

const gitTimeoutMs = 5000;
const maxGrepHits = 50;
const sep = "\x1f";

/** `nothingFound`: the exit code by which the command says "no match" (git grep's 1), an empty answer. */
function runGit(ctx: ToolContext, repo: string, args: string[], nothingFound?: number): Promise<string> {
  return ctx.run(`git -C ${repo} ${args.join(" ")}`, () =>
    git(repo, args, { timeoutMs: gitTimeoutMs }).catch((err: unknown) => {
      if (nothingFound !== undefined && (err as { code?: number }).code === nothingFound) return "";
      throw err;
    }),
  );
}

export const gitLog = defineTool({
  name: "git_log",
  description:
    "Recent commits of the alerting service's repo, newest first (sha, author date, author, subject, files changed), optionally only those touching `path`. Commits made after the alert started are marked: they were not running when it fired.",
  input: z.strictObject({
    path: z.string().min(1).max(300).optional(),
    max_count: z.int().min(1).max(30).default(15),
  }),
  narrow: "Give a `path`, or a smaller max_count.",
  async run(args, ctx) {
    const repo = repoOf(ctx);
    const pathArgs = args.path ? ["--", relativePath(args.path)] : [];
    const out = await runGit(ctx, repo, [
      "log",
      `-n${args.max_count}`,
      "--no-decorate",
      "--name-only",
      `--format=%x1e%H${sep}%aI${sep}%an${sep}%ct${sep}%s`,
      ...pathArgs,
    ]);
    const alertStart = Date.parse(ctx.alert.startsAt) / 1000;
    const commits = out
      .split("\x1e")
      .filter((c) => c.trim())
      .map((c) => {
        const [head = "", ...files] = c.split("\n");
        const [sha = "", date, author, committed, subject] = head.split(sep);
        const late = Number(committed) > alertStart ? " [committed after the alert started]" : "";
        return `${sha.slice(0, 12)} ${date} ${author}: ${subject}${late}\n  files: ${files.filter(Boolean).join(", ")}`;
      });
    return ctx.redact(commits.length ? commits.join("\n") : "No commits.");
  },
});

export const gitBlame = defineTool({
  name: "git_blame",
  description:
    "git blame of lines of a file as it is in the working tree (what runs): which commit last changed each line, when and by whom. At most 80 lines per call.",
  input: z.strictObject({
    path: z.string().min(1).max(300),
    start_line: z.int().min(1),
    end_line: z.int().min(1),
  }),
  narrow: "Blame fewer lines.",
  async run(args, ctx) {
    const repo = repoOf(ctx);
    const { rel, full } = await insideRepo(repo, args.path);
    const end = Math.min(Math.max(args.end_line, args.start_line), args.start_line + 79);
    const out = await runGit(ctx, repo, [
      "blame",
      "--date=iso-strict",
      `-L${args.start_line},${end}`,
      "--",
      rel,
    ]);
    // Blame reads the working tree: each line's code is shown from the file redacted as a whole.
    const lines = redactLines(await readFile(full, "utf8"), ctx.redact);
    return out
      .split("\n")
      .map((l) => {
        const m = /^(.*? (\d+)\) )/.exec(l);
        return m ? `${ctx.redact(m[1] as string)}${lines[Number(m[2]) - 1] ?? ""}` : ctx.redact(l);
      })
      .join("\n");
  },
});

export const gitShow = defineTool({
  name: "git_show",
  description:
    "A commit's message, changed-file stats and diff (optionally only for `path`). Use the shas from git_log, git_blame or the head start.",
  input: z.strictObject({ commit: z.string().min(1).max(100), path: z.string().min(1).max(300).optional() }),
  narrow: "Pass `path` to see one file's diff.",
  async run(args, ctx) {
    const repo = repoOf(ctx);
    const out = await runGit(ctx, repo, [
      "show",
      "--no-ext-diff",
      "--no-textconv",
      "--no-color",
      "--stat",
      "--patch",
      "--unified=3",
      "--format=commit %H%nAuthor: %an%nDate: %aI%n%n%B",
      commitish(args.commit),
      ...(args.path ? ["--", relativePath(args.path)] : []),
    ]);
    return redactLines(out, ctx.redact).join("\n");
  },
});

export const searchCode = defineTool({
  name: "search_code",
  description:
    "Find tracked lines in the alerting service's repo containing `text` literally (git grep, working tree). Returns file:line:text, at most 50 hits.",
  input: z.strictObject({ text: z.string().min(2).max(200) }),
  narrow: "Search for a longer, more specific text.",
  async run(args, ctx) {
    const repo = repoOf(ctx);
    const out = await runGit(ctx, repo, ["grep", "-n", "-I", "-F", "--no-color", "-e", args.text, "--"], 1);
    const hits = out.split("\n").filter(Boolean);
    if (hits.length === 0) return `No tracked line contains ${JSON.stringify(args.text)}.`;
    const files = new Map<string, string[]>();
    const shown: string[] = [];
    for (const hit of hits.slice(0, maxGrepHits)) {
      const m = /^(.+?):(\d+):/.exec(hit);
      if (!m) continue;
      const file = m[1] as string;
      if (!files.has(file))
        files.set(
          file,
          redactLines(await readFile(path.join(repo, file), "utf8").catch(() => ""), ctx.redact),
        );
      shown.push(`${ctx.redact(file)}:${m[2]}:${files.get(file)?.[Number(m[2]) - 1] ?? ""}`);
    }
    return `${hits.length} hits${hits.length > maxGrepHits ? ` (first ${maxGrepHits})` : ""}:\n${shown.join("\n")}`;
  },
});
