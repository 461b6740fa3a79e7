import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { stringify } from "yaml";
import { repoRoot } from "./cli.js";
import { writeFiles } from "./tmp.js";

export const tinyService = path.join(repoRoot, "test/fixtures/tiny_service.py");

/**
 * Writes a small manifest of tiny_service.py processes into `dir` (external monitoring, so no
 * Prometheus is needed) and returns its path. `services` entries override the defaults.
 */
export function writeTinyWorld(
  dir: string,
  services: Record<string, Record<string, unknown>>,
  extra: Record<string, unknown> = {},
): string {
  const manifest = {
    version: 1,
    name: "tiny",
    stateDir: path.join(dir, "state"),
    services: Object.fromEntries(
      Object.entries(services).map(([name, spec]) => [
        name,
        { command: ["python3", tinyService], startTimeoutMs: 3000, ...spec },
      ]),
    ),
    monitoring: {
      prometheus: { mode: "external", url: "http://127.0.0.1:9" },
      alertmanager: { mode: "external", url: "http://127.0.0.1:9" },
    },
    ...extra,
  };
  writeFiles(dir, { "fixloop.yaml": stringify(manifest) });
  return path.join(dir, "fixloop.yaml");
}

/** A tiny world whose one service `web` has a git repo with one commit, so the real stages can run on it. */
export function writeTinyRepoWorld(dir: string): string {
  const repo = path.join(dir, "repo");
  mkdirSync(repo);
  writeFileSync(path.join(repo, "app.py"), "print('hello')\n");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo, stdio: "pipe" });
  git("init", "-q");
  git("add", ".");
  git("commit", "-q", "-m", "initial");
  return writeTinyWorld(dir, { web: { repo } });
}
