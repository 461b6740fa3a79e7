import { setTimeout as sleep } from "node:timers/promises";
import { request } from "undici";
import { UserError } from "../util/errors.js";
import { isRunning, logTail, type ProcessRecord } from "./process.js";

/**
 * Polls `url` until it answers 2xx. Fails with the log tail when the process exits first or the
 * deadline passes, so the user sees why the service never came up.
 */
export async function waitHealthy(
  what: string,
  url: string,
  proc: ProcessRecord,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = "no answer yet";
  while (Date.now() < deadline) {
    if (!isRunning(proc)) {
      throw new UserError(
        `${what} exited during start-up (command: ${proc.command.join(" ")}); last log lines:\n${logTail(proc.logFile)}`,
        1,
      );
    }
    try {
      const res = await request(url, { headersTimeout: 1000, bodyTimeout: 1000 });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) return;
      lastProblem = `HTTP ${res.statusCode}`;
    } catch (err) {
      lastProblem = (err as Error).message;
    }
    await sleep(100);
  }
  throw new UserError(
    `${what} did not become healthy at ${url} within ${timeoutMs} ms (${lastProblem}); last log lines:\n${logTail(proc.logFile)}`,
    1,
  );
}
