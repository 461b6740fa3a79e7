import { realpath } from "node:fs/promises";
import path from "node:path";
import { ToolRefusal } from "./tool.js";

/**
 * A path the model named, as a file inside the repo: relative, no `..`, not in `.git`, and after
 * following symlinks still inside the repo. Returns the repo-relative path and the real file.
 */
export async function insideRepo(repo: string, asked: string): Promise<{ rel: string; full: string }> {
  const rel = relativePath(asked);
  const root = await realpath(repo);
  const full = await realpath(path.join(root, rel)).catch(() => {
    throw new ToolRefusal(`${rel}: no such file in the repo`);
  });
  if (!full.startsWith(`${root}${path.sep}`)) throw new ToolRefusal(`${rel}: leads outside the repo`);
  return { rel, full };
}

/** A repo-relative path by its spelling alone (it may name a file deleted since): no `..`, no `.git`. */
export function relativePath(asked: string): string {
  const rel = path.posix.normalize(asked.replaceAll("\\", "/")).replace(/^\.\//, "");
  if (path.isAbsolute(asked) || rel.startsWith("../") || rel === ".." || rel === "." || rel.startsWith(":"))
    throw new ToolRefusal(`${asked}: give a path relative to the repo root, inside it`);
  if (rel.split("/").some((p) => p.toLowerCase() === ".git"))
    throw new ToolRefusal(`${asked}: the .git folder is not readable`);
  return rel;
}

/** A commit-ish the model named: a sha, branch, tag or `HEAD~2`; never an option or a range. */
export function commitish(asked: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._/~^@-]{0,99}$/.test(asked) || asked.includes(".."))
    throw new ToolRefusal(`${asked}: not a commit (give a sha, a branch, a tag or HEAD~N)`);
  return asked;
}
