import { spawn } from "node:child_process";
import { accessSync, closeSync, constants, mkdirSync, openSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { UserError } from "../util/errors.js";
import { readTail } from "../util/tail.js";

/** What we need to find (and only find) a process we started, even from another shell. */
export interface ProcessRecord {
  pid: number;
  /** Kernel start time (clock ticks since boot): tells our process from a later one reusing the pid. */
  startTicks: number;
  command: string[];
  cwd: string;
  logFile: string;
  startedAt: string;
}

export interface SpawnOptions {
  command: string[];
  cwd: string;
  env: Record<string, string>;
  logFile: string;
}

/** Resolves a program name against PATH (or checks an explicit path); a missing one is a user error. */
export function resolveProgram(program: string, what: string, hint?: string): string {
  const candidates = program.includes("/")
    ? [program]
    : (process.env.PATH ?? "")
        .split(":")
        .filter(Boolean)
        .map((d) => path.join(d, program));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // try the next PATH entry
    }
  }
  throw new UserError(
    `${what}: program '${program}' not found${program.includes("/") ? "" : " on PATH"}${hint ? `; ${hint}` : ""}`,
  );
}

/**
 * Starts a process in its own process group with stdout+stderr appended to a log file, detached
 * so it outlives the CLI that started it (`up` returns; `down` from another shell stops it).
 */
export function spawnLogged(opts: SpawnOptions): ProcessRecord {
  const [program, ...args] = opts.command;
  if (!program) throw new UserError("empty command");
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = openSync(opts.logFile, "a");
  try {
    const child = spawn(program, args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ["ignore", fd, fd],
    });
    if (child.pid === undefined) throw new UserError(`cannot start '${program}' in ${opts.cwd}`);
    // An async spawn error (ENOENT etc.) is reported through health/liveness checks instead.
    child.on("error", () => {});
    child.unref();
    return {
      pid: child.pid,
      startTicks: processStartTicks(child.pid) ?? 0,
      command: opts.command,
      cwd: opts.cwd,
      logFile: opts.logFile,
      startedAt: new Date().toISOString(),
    };
  } finally {
    closeSync(fd);
  }
}

/** Field 22 of /proc/PID/stat; undefined when the process is gone. */
export function processStartTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: split after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[19]);
  } catch {
    return undefined;
  }
}

/** True while the recorded process is alive and is still the one we started (not a zombie). */
export function isRunning(rec: Pick<ProcessRecord, "pid" | "startTicks">): boolean {
  const ticks = processStartTicks(rec.pid);
  if (ticks === undefined || (rec.startTicks !== 0 && ticks !== rec.startTicks)) return false;
  try {
    const state = readFileSync(`/proc/${rec.pid}/stat`, "utf8");
    return state.slice(state.lastIndexOf(")") + 2, state.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Resident set size in bytes, from /proc. */
export function residentBytes(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Stops the process group we started: SIGTERM, then SIGKILL after a grace period. Never signals
 * a pid that no longer belongs to the recorded process.
 */
export async function stopGroup(
  rec: Pick<ProcessRecord, "pid" | "startTicks">,
  graceMs = 5000,
): Promise<void> {
  signalMembers(rec, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (groupMembers(rec).length === 0) return;
    await sleep(50);
  }
  signalMembers(rec, "SIGKILL");
  while (groupMembers(rec).length > 0) await sleep(20);
}

/**
 * Live (non-zombie) processes of the recorded group that started no earlier than its leader, so a
 * recycled pid or an unrelated later group is never signalled.
 */
export function groupMembers(rec: Pick<ProcessRecord, "pid" | "startTicks">): number[] {
  const members: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === rec.pid && fields[0] !== "Z" && Number(fields[19]) >= rec.startTicks)
        members.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return members;
}

function signalMembers(rec: Pick<ProcessRecord, "pid" | "startTicks">, signal: NodeJS.Signals): void {
  for (const pid of groupMembers(rec)) {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** The last lines of a log file, for error messages. */
export function logTail(file: string, lines = 15): string {
  const text = readTail(file, 64 * 1024).trimEnd();
  return text ? text.split("\n").slice(-lines).join("\n") : "(no log)";
}
