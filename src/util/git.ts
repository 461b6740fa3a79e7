import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { UserError } from "./errors.js";

const execFileAsync = promisify(execFile);

/** Env for git runs: no user hooks, prompts or system config can change what a command does. */
const gitEnv = { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_CONFIG_NOSYSTEM: "1", LC_ALL: "C" };

/** Runs git read-only against `cwd`, or on a workspace we own; returns stdout. */
export async function git(
  cwd: string,
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<string> {
  const child = execFileAsync(
    "git",
    ["-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", ...args],
    {
      cwd,
      env: gitEnv,
      timeout: options.timeoutMs ?? 30_000,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  if (options.input !== undefined) {
    child.child.stdin?.end(options.input);
  }
  const { stdout } = await child;
  return stdout;
}

/**
 * A private clone of a service repo at its HEAD. Patches are applied here, never in the service's
 * own working tree; a local clone only reads the source repo (objects are copied, never linked).
 */
export interface Workspace {
  dir: string;
  head: string;
  remove(): Promise<void>;
}

export async function createWorkspace(repo: string, label: string): Promise<Workspace> {
  let head: string;
  try {
    head = (await git(repo, ["rev-parse", "--verify", "HEAD"])).trim();
  } catch {
    throw new UserError(
      `${repo}: not a git repository with at least one commit; services.*.repo must point at the service's git working tree`,
    );
  }
  const parent = await mkdtemp(path.join(os.tmpdir(), `fixloop-${label.replace(/[^a-z0-9-]/gi, "-")}-`));
  const dir = path.join(parent, "src");
  try {
    // --no-hardlinks: git "freshens" (touches) an object file it would write again, and a hard link
    // would carry that mtime change into the service's own .git.
    await git(parent, ["clone", "--quiet", "--no-checkout", "--no-hardlinks", repo, dir]);
    await git(dir, ["checkout", "--quiet", "--detach", head]);
    await git(dir, ["config", "user.name", "fixloop"]);
    await git(dir, ["config", "user.email", "fixloop@localhost"]);
  } catch (err) {
    await rm(parent, { recursive: true, force: true });
    throw err;
  }
  return { dir, head, remove: () => rm(parent, { recursive: true, force: true }) };
}

/** Git's own complaint from a failed `git()` call, on one line (`error:` prefixes dropped). */
export function gitFailure(err: unknown): string {
  const stderr = (err as { stderr?: unknown }).stderr;
  const text =
    typeof stderr === "string" && stderr.trim() ? stderr : err instanceof Error ? err.message : String(err);
  return text
    .split("\n")
    .map((l) => l.replace(/^(error|fatal): /, "").trim())
    .filter(Boolean)
    .join("; ");
}
