import { git } from "../../util/git.js";
import { type FileDiff, parseDiff } from "../diff.js";
import { type CommitLine, selectHunks } from "../hunk-selection.js";
import { plainDiffOptions, revertOnHead } from "../rebase-revert.js";
import type { BridgeStrategy, Proposal, StrategyContext } from "../strategy.js";

/** Git's well-known empty tree: the "parent" of a root commit. */
const emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/**
 * No model: undo what the suspect commit did to the failing code, on top of today's HEAD. Only the
 * hunks that wrote the failing lines (and the hunks sharing names with them) when that passes
 * validation; the whole commit otherwise. A conflict with later work is "no candidate", never a
 * half-merged patch.
 */
export const revertSuspectChange: BridgeStrategy = {
  name: "revert-suspect-change",
  async propose(ctx: StrategyContext): Promise<Proposal> {
    const suspect = ctx.report.suspectChange;
    if (!suspect) return { noCandidate: "the report names no suspect change" };
    const commit = await git(ctx.repo, ["rev-parse", "--verify", "--quiet", `${suspect.commit}^{commit}`])
      .then((out) => out.trim())
      .catch(() => "");
    if (!commit) return { noCandidate: `suspect commit ${suspect.commit} is not in the repo ${ctx.repo}` };
    const title = `${short(commit)} "${suspect.subject}"`;
    const parents = (await git(ctx.repo, ["rev-list", "--parents", "-n", "1", commit]))
      .trim()
      .split(" ")
      .slice(1);
    if (parents.length > 1)
      return { noCandidate: `${title} is a merge commit; reverting a merge is left to a human` };
    const inHistory = await git(ctx.repo, ["merge-base", "--is-ancestor", commit, ctx.head]).then(
      () => true,
      () => false,
    );
    if (!inHistory) return { noCandidate: `${title} is not in the history of HEAD ${short(ctx.head)}` };

    const parent = parents[0] ?? emptyTree;
    const files = parseDiff(await git(ctx.repo, ["diff", ...plainDiffOptions, parent, commit]));
    if (files.length === 0) return { noCandidate: `${title} changes no file` };
    const plan = { repo: ctx.repo, commit, parent, files };
    const written = await linesWrittenBy(ctx, commit);
    const selection = selectHunks(
      files,
      written.map((w) => w.atCommit),
      ctx.sources.map((s) => s.path),
    );

    let whyWhole: string;
    if (!selection) {
      whyWhole = "the failure's stack frames do not lead into any of its hunks, so they cannot be isolated";
    } else if (coversEverything(files, selection.hunks)) {
      const hunkCount = files.reduce((n, f) => n + f.hunks.length, 0);
      const tied = hunkCount === 1 ? "its only hunk" : `all ${hunkCount} of its hunks`;
      const how = hunkCount === 1 ? "" : " or share names with";
      whyWhole =
        selection.seededBy === "failing lines"
          ? `${tied} wrote${how} the failing ${describeLines(written)}`
          : `${tied} changed${how} ${ctx.sources.map((s) => s.path).join(", ")}, where the failure runs`;
    } else {
      const isolated = await revertOnHead({ ...plan, hunks: selection.hunks });
      if ("failure" in isolated) return { noCandidate: isolated.failure };
      if (!isolated.diff.trim()) return { noCandidate: `the hunks of ${title} are already undone at HEAD` };
      const verdict = await ctx.validate(isolated.diff);
      const where =
        selection.seededBy === "failing lines"
          ? `wrote the failing ${describeLines(written)}`
          : `changed ${ctx.sources.map((s) => s.path).join(", ")}, where the failure runs`;
      if (verdict.ok) {
        const kept = keptFiles(files, selection.hunks);
        return {
          diff: isolated.diff,
          rationale:
            `Reverts ${describeHunks(files, selection.hunks)} of ${title}, the change that ${where}, rebased on HEAD ${short(ctx.head)}. ` +
            `Keeps the commit's other hunks (${kept.join(", ")}): they share no name with the reverted ones.`,
        };
      }
      whyWhole = `reverting only the hunks that ${where} was rejected (${verdict.reasons.join("; ")})`;
    }

    const whole = await revertOnHead({ ...plan, hunks: "all" });
    if ("failure" in whole) return { noCandidate: whole.failure };
    if (!whole.diff.trim()) return { noCandidate: `${title} is already undone at HEAD` };
    const names = files.map((f) => f.newPath ?? f.oldPath).join(", ");
    return {
      diff: whole.diff,
      rationale: `Reverts ${title} in full (${names}), rebased on HEAD ${short(ctx.head)}: ${whyWhole}.`,
    };
  },
};

interface WrittenLine {
  atHead: CommitLine;
  atCommit: CommitLine;
}

/** The failing lines (HEAD) that `git blame` attributes to the commit, with their place in it. */
async function linesWrittenBy(ctx: StrategyContext, commit: string): Promise<WrittenLine[]> {
  const written: WrittenLine[] = [];
  for (const source of ctx.sources) {
    for (const line of source.lines) {
      const out = await git(ctx.repo, [
        "blame",
        "--porcelain",
        "-L",
        `${line},${line}`,
        ctx.head,
        "--",
        source.path,
      ]).catch(() => "");
      const [sha, origLine] = out.split("\n", 1)[0]?.split(" ") ?? [];
      const origPath = /^filename (.*)$/m.exec(out)?.[1];
      if (sha === commit && origLine && origPath)
        written.push({
          atHead: { path: source.path, line },
          atCommit: { path: origPath, line: Number(origLine) },
        });
    }
  }
  return written;
}

function describeLines(written: readonly WrittenLine[]): string {
  const where = written.map((w) => `${w.atHead.path}:${w.atHead.line}`).join(", ");
  return `line${written.length === 1 ? "" : "s"} ${where}`;
}

function coversEverything(files: readonly FileDiff[], hunks: ReadonlySet<unknown>): boolean {
  return files.every((f) => f.hunks.length > 0 && f.hunks.every((h) => hunks.has(h)));
}

function describeHunks(files: readonly FileDiff[], hunks: ReadonlySet<unknown>): string {
  const parts = files.flatMap((f) =>
    f.hunks
      .filter((h) => hunks.has(h))
      .map(
        (h) => `${f.newPath ?? f.oldPath} lines ${h.newStart}–${h.newStart + Math.max(h.newLines, 1) - 1}`,
      ),
  );
  return `${parts.length === 1 ? "the hunk" : `${parts.length} hunks`} (${parts.join("; ")})`;
}

function keptFiles(files: readonly FileDiff[], hunks: ReadonlySet<unknown>): string[] {
  return files
    .filter((f) => f.hunks.length === 0 || f.hunks.some((h) => !hunks.has(h)))
    .map((f) => f.newPath ?? f.oldPath ?? "");
}

function short(commit: string): string {
  return commit.slice(0, 12);
}
