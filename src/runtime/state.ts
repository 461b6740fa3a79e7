import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { ProcessRecord } from "./process.js";
import type { ComponentKind } from "./runtime.js";

export interface ComponentRecord extends ProcessRecord {
  name: string;
  kind: ComponentKind;
  port?: number;
  url?: string;
  /** The env the component was started with (services: their identity, secrets included). */
  env: Record<string, string>;
}

/** What `up` started, so `down` or `status` from another shell acts on exactly that. */
export interface WorldState {
  manifest: string;
  scenario?: string;
  startedAt: string;
  prometheusUrl?: string;
  alertmanagerUrl?: string;
  webhookUrl?: string;
  components: ComponentRecord[];
}

export const stateFile = (stateDir: string) => path.join(stateDir, "state.json");

export function readState(stateDir: string): WorldState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(stateDir), "utf8")) as WorldState;
  } catch {
    return undefined;
  }
}

/** Written atomically and private to the user: it holds the services' env, secrets included. */
export function writeState(stateDir: string, state: WorldState): void {
  mkdirSync(stateDir, { recursive: true });
  const tmp = `${stateFile(stateDir)}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
  renameSync(tmp, stateFile(stateDir));
}

export function removeState(stateDir: string): void {
  rmSync(stateFile(stateDir), { force: true });
}
