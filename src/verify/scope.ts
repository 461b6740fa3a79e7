import { rmSync } from "node:fs";
import { groupMembers, processStartTicks } from "../runtime/process.js";
import { errorMessage } from "../util/errors.js";

/**
 * What a verification run holds (workspaces, proxies, candidate processes), released in reverse
 * order exactly once by `close()`, which callers run in `finally`. As a last resort, process groups
 * and folders still held when the Node process exits (a second Ctrl-C, a crash, `process.exit`
 * elsewhere) are killed and removed synchronously from the `exit` hook, so nothing outlives the
 * verifier.
 */
export class RunScope {
  private readonly releases: { what: string; release: () => Promise<void> }[] = [];
  private readonly groups = new Map<number, number>();
  private readonly folders = new Set<string>();
  private readonly releaseOnExit = () => {
    for (const [pid, startTicks] of this.groups) {
      for (const member of groupMembers({ pid, startTicks })) {
        try {
          process.kill(member, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
    for (const folder of this.folders) rmSync(folder, { recursive: true, force: true });
  };

  constructor() {
    process.on("exit", this.releaseOnExit);
  }

  defer(what: string, release: () => Promise<void>): void {
    this.releases.push({ what, release });
  }

  /** Defers `stop` of a process group we started; until it has run, the exit hook kills the group. */
  guardGroup(pid: number, stop: () => Promise<void>, what: string): void {
    const startTicks = processStartTicks(pid);
    if (startTicks !== undefined) this.groups.set(pid, startTicks);
    this.defer(what, async () => {
      await stop();
      this.groups.delete(pid);
    });
  }

  /** Defers `remove` of a temporary folder; until it has run, the exit hook deletes the folder. */
  guardFolder(folder: string, remove: () => Promise<void>, what: string): void {
    this.folders.add(folder);
    this.defer(what, async () => {
      await remove();
      this.folders.delete(folder);
    });
  }

  /** Releases everything; returns what could not be released (never throws). */
  async close(): Promise<string[]> {
    const problems: string[] = [];
    for (const { what, release } of this.releases.splice(0).reverse()) {
      try {
        await release();
      } catch (err) {
        problems.push(`${what}: ${errorMessage(err)}`);
      }
    }
    process.off("exit", this.releaseOnExit);
    return problems;
  }
}
