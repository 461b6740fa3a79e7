import { spawn } from "node:child_process";
import path from "node:path";
import { redactText } from "../util/redact.js";

/** The manifest's language sanity check (services.<name>.check), run in a patched private clone. */
export interface CheckSpec {
  argv: string[];
  /** Where to run it, relative to the repo root (the service's cwd inside its repo). */
  cwd: string;
  timeoutMs: number;
}

export interface CheckResult {
  ok: boolean;
  /** Exit code, or the signal / timeout that ended it, for the rejection reason. */
  ended: string;
  /** Tail of stdout+stderr, redacted. */
  output: string;
}

const outputTailChars = 4000;

export function runCheck(spec: CheckSpec, checkoutDir: string): Promise<CheckResult> {
  const [program, ...args] = spec.argv;
  return new Promise((resolve) => {
    if (!program) {
      resolve({ ok: false, ended: "not run", output: "empty check command" });
      return;
    }
    // Own process group, so a checker that forks (compilers, test runners) is stopped whole on timeout.
    const child = spawn(program, args, {
      cwd: path.resolve(checkoutDir, spec.cwd),
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-outputTailChars);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        // the group is already gone
      }
    }, spec.timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ ok: false, ended: "could not start", output: err.message });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const ended = timedOut
        ? `timed out after ${spec.timeoutMs} ms`
        : code !== null
          ? `exit ${code}`
          : `killed by ${signal}`;
      resolve({ ok: !timedOut && code === 0, ended, output: redactText(output.trim()) });
    });
  });
}
