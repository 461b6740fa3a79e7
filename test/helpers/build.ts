import { execFileSync } from "node:child_process";

/** End-to-end tests run the real CLI, so compile it once before any test file runs. */
export default function setup(): void {
  execFileSync("npx", ["tsc", "-p", "tsconfig.json"], { stdio: "inherit" });
}
