import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { groupMembers, processStartTicks } from "../../src/runtime/process.js";
import { RunScope } from "../../src/verify/scope.js";
import { repoRoot } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A verifier stand-in in its own Node process: holds a candidate group and a folder, then waits. */
const holder = (ledgerDir: string, folder: string, logFile: string) => `
const { RunScope } = await import(${JSON.stringify(path.join(repoRoot, "dist/verify/scope.js"))});
const { spawnLogged, stopGroup } = await import(${JSON.stringify(path.join(repoRoot, "dist/runtime/process.js"))});
const scope = new RunScope(${JSON.stringify(ledgerDir)});
const rec = spawnLogged({ command: ["sleep", "300"], cwd: "/", env: {}, logFile: ${JSON.stringify(logFile)} });
scope.guardGroup(rec.pid, () => stopGroup(rec), "sleep");
scope.guardFolder(${JSON.stringify(folder)}, async () => {}, "folder");
process.stdout.write(rec.pid + "\\n");
setInterval(() => {}, 1000);
`;

async function startHolder(dir: string) {
  const ledgerDir = path.join(dir, "held");
  const folder = path.join(dir, "workspace");
  mkdirSync(folder);
  const child = spawn(
    process.execPath,
    ["--input-type=module", "-e", holder(ledgerDir, folder, path.join(dir, "sleep.log"))],
    {
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  cleanups.push(() => child.kill("SIGKILL"));
  const candidatePid = await new Promise<number>((resolve) =>
    child.stdout?.once("data", (d) => resolve(Number(String(d).trim()))),
  );
  return {
    child,
    ledgerDir,
    folder,
    candidate: { pid: candidatePid, startTicks: processStartTicks(candidatePid) ?? 0 },
  };
}

describe("RunScope ledger", () => {
  it("reaps the candidates and folders of a verifier killed with SIGKILL", async () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const h = await startHolder(t.dir);
    expect(RunScope.sweep(h.ledgerDir)).toBe(0); // its owner is alive: nothing to reap
    expect(groupMembers(h.candidate)).toEqual([h.candidate.pid]);

    h.child.kill("SIGKILL");
    await new Promise((r) => h.child.once("exit", r));
    expect(groupMembers(h.candidate)).toEqual([h.candidate.pid]); // orphaned, still running

    expect(RunScope.sweep(h.ledgerDir)).toBe(1);
    for (let i = 0; i < 50 && groupMembers(h.candidate).length > 0; i++)
      await new Promise((r) => setTimeout(r, 20));
    expect(groupMembers(h.candidate)).toEqual([]);
    expect(existsSync(h.folder)).toBe(false);
    expect(RunScope.sweep(h.ledgerDir)).toBe(0);
  });
});
