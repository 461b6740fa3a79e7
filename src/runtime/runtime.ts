/**
 * What fixloop needs from wherever the services run. The local runtime (child processes) is the
 * embedded default; a Kubernetes runtime implements the same interface.
 */

export type ComponentKind = "service" | "worker" | "prometheus" | "alertmanager";

export interface ComponentStatus {
  name: string;
  kind: ComponentKind;
  pid: number;
  running: boolean;
  url?: string;
  uptimeSeconds: number;
  restarts: number;
  rssBytes?: number;
  logFile: string;
}

export interface WorldStatus {
  up: boolean;
  scenario?: string;
  startedAt?: string;
  prometheusUrl?: string;
  alertmanagerUrl?: string;
  components: ComponentStatus[];
}

/** How a service is run: enough to start a faithful copy of it from another source tree. */
export interface ServiceIdentity {
  command: string[];
  /** Working directory relative to the source tree root ("." when it runs at the root). */
  cwdInSource: string;
  env: Record<string, string>;
  portEnv: string;
  healthPath: string;
  /** Downstream service name → env var carrying its URL, and the URL the live service uses. */
  downstreams: { name: string; envVar: string; url: string }[];
}

export interface ServiceDescription {
  name: string;
  status: ComponentStatus | undefined;
  command: string[];
  cwd: string;
  repo?: string;
  /** Env with secret values redacted. */
  env: Record<string, string>;
  configFiles: { path: string; content: string }[];
}

export interface CopyOptions {
  /** A label for logs and errors, e.g. "checkout (patched)". */
  label: string;
  /** Root of the source tree to run instead of the live one. */
  sourceDir: string;
  /** Env overrides on top of the live identity (e.g. downstream URLs pointed at a recording proxy). */
  env?: Record<string, string>;
  logFile: string;
}

export interface RunningCopy {
  label: string;
  url: string;
  pid: number;
  logFile: string;
  running(): boolean;
  rssBytes(): number | undefined;
  stop(): Promise<void>;
}

export interface Runtime {
  status(): WorldStatus;
  describe(service: string): ServiceDescription;
  /** The service's captured log text (most recent `maxBytes` at most). */
  readLogs(service: string, maxBytes?: number): string;
  identity(service: string): ServiceIdentity;
  /** Runs an extra copy of a service from another source tree with the live service's identity. */
  runCopy(service: string, options: CopyOptions): Promise<RunningCopy>;
}
