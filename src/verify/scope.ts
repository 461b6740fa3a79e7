import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { groupMembers, isRunning, processStartTicks } from "../runtime/process.js";
import { errorMessage } from "../util/errors.js";

/**
 * What a verification run holds (workspaces, proxies, candidate processes), released in reverse
 * order exactly once by `close()`, which callers run in `finally`. As a last resort, process groups
 * and folders still held when the Node process exits (a second Ctrl-C, a crash, `process.exit`
 * elsewhere) are killed and removed synchronously from the `exit` hook, so nothing outlives the
 * verifier. Nothing runs on SIGKILL, so what is held is also written to a ledger file; the next
 * verification sweeps the ledgers of verifiers that died (`RunScope.sweep`).
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

  private readonly ledger: string | undefined;

  constructor(ledgerDir?: string) {
    process.on("exit", this.releaseOnExit);
    if (ledgerDir) {
      mkdirSync(ledgerDir, { recursive: true });
      this.ledger = path.join(ledgerDir, `held-${process.pid}-${Date.now()}.json`);
    }
  }

  /**
   * Releases what verifiers that died without cleaning up (kill -9) still held: their candidate
   * process groups (only processes started no earlier than the recorded leader) and folders.
   */
  static sweep(ledgerDir: string): number {
    let swept = 0;
    let names: string[];
    try {
      names = readdirSync(ledgerDir).filter((n) => /^held-\d+-\d+\.json$/.test(n));
    } catch {
      return 0;
    }
    for (const name of names) {
      const file = path.join(ledgerDir, name);
      let entry: Ledger;
      try {
        entry = JSON.parse(readFileSync(file, "utf8")) as Ledger;
      } catch {
        continue;
      }
      if (isRunning(entry.owner)) continue;
      for (const group of entry.groups) {
        for (const member of groupMembers(group)) {
          try {
            process.kill(member, "SIGKILL");
          } catch {
            // already gone
          }
        }
      }
      for (const folder of entry.folders) rmSync(folder, { recursive: true, force: true });
      rmSync(file, { force: true });
      swept++;
    }
    return swept;
  }

  private record(): void {
    if (!this.ledger) return;
    const entry: Ledger = {
      owner: { pid: process.pid, startTicks: processStartTicks(process.pid) ?? 0 },
      groups: [...this.groups].map(([pid, startTicks]) => ({ pid, startTicks })),
      folders: [...this.folders],
    };
    writeFileSync(this.ledger, JSON.stringify(entry));
  }

  defer(what: string, release: () => Promise<void>): void {
    this.releases.push({ what, release });
  }

  /** Defers `stop` of a process group we started; until it has run, the exit hook kills the group. */
  guardGroup(pid: number, stop: () => Promise<void>, what: string): void {
    const startTicks = processStartTicks(pid);
    if (startTicks !== undefined) this.groups.set(pid, startTicks);
    this.record();
    this.defer(what, async () => {
      await stop();
      this.groups.delete(pid);
      this.record();
    });
  }

  /** Defers `remove` of a temporary folder; until it has run, the exit hook deletes the folder. */
  guardFolder(folder: string, remove: () => Promise<void>, what: string): void {
    this.folders.add(folder);
    this.record();
    this.defer(what, async () => {
      await remove();
      this.folders.delete(folder);
      this.record();
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
    if (this.ledger && problems.length === 0) rmSync(this.ledger, { force: true });
    return problems;
  }
}

interface Ledger {
  owner: { pid: number; startTicks: number };
  groups: { pid: number; startTicks: number }[];
  folders: string[];
}
