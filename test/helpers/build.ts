import { spawnSync } from "node:child_process";

/**
 * End-to-end tests run the real CLI, so compile it once before any test file runs. Type errors are
 * reported but do not stop the emit: scripts/test type-checks strictly before the suite.
 */
export default function setup(): void {
  const res = spawnSync("npx", ["tsc", "-p", "tsconfig.json"], { encoding: "utf8" });
  if (res.status !== 0)
    process.stderr.write(`tsc reported errors (emitted anyway):\n${res.stdout}${res.stderr}\n`);
}
