import { readFileSync } from "node:fs";
import path from "node:path";
import { type Environment, loadManifest, serviceCwd } from "../manifest/load.js";
import type { ServiceSpec } from "../manifest/schema.js";
import { UserError } from "../util/errors.js";
import { redactEnv } from "../util/redact.js";
import { readTail } from "../util/tail.js";
import { waitHealthy } from "./health.js";
import { freePort } from "./ports.js";
import { isRunning, processStartTicks, residentBytes, spawnLogged, stopGroup } from "./process.js";
import type {
  ComponentStatus,
  CopyOptions,
  RunningCopy,
  Runtime,
  ServiceDescription,
  ServiceIdentity,
  WorldStatus,
} from "./runtime.js";
import { type ComponentRecord, readState, type WorldState } from "./state.js";

const clockTicksPerSecond = 100; // USER_HZ on Linux

/** The services as local child processes, read from the state `up` left in the state dir. */
export class LocalRuntime implements Runtime {
  constructor(private readonly envm: Environment) {}

  private state(): WorldState | undefined {
    return readState(this.envm.stateDir);
  }

  private spec(service: string): ServiceSpec {
    const spec = this.envm.manifest.services[service];
    if (!spec)
      throw new UserError(
        `no service named '${service}' in ${this.envm.file} (known: ${Object.keys(this.envm.manifest.services).join(", ")})`,
      );
    return spec;
  }

  private record(service: string): ComponentRecord | undefined {
    return this.state()?.components.find((c) => c.kind === "service" && c.name === service);
  }

  status(): WorldStatus {
    const state = this.state();
    if (!state) return { up: false, components: [] };
    const components = state.components.map(componentStatus);
    return {
      up: components.some((c) => c.running),
      scenario: state.scenario,
      startedAt: state.startedAt,
      prometheusUrl: state.prometheusUrl,
      alertmanagerUrl: state.alertmanagerUrl,
      components,
    };
  }

  describe(service: string): ServiceDescription {
    const spec = this.spec(service);
    const rec = this.record(service);
    const cwd = serviceCwd(spec, this.envm.dir);
    return {
      name: service,
      status: rec ? componentStatus(rec) : undefined,
      command: spec.command,
      cwd,
      repo: spec.repo,
      env: redactEnv(rec?.env ?? spec.env, spec.secretEnv),
      configFiles: spec.configFiles.map((file) => ({
        path: file,
        content: readCapped(path.resolve(cwd, file), 64 * 1024),
      })),
    };
  }

  readLogs(service: string, maxBytes = 8 * 1024 * 1024): string {
    const spec = this.spec(service);
    const file =
      spec.logs.capture === "file"
        ? (spec.logs.path as string)
        : (this.record(service)?.logFile ?? path.join(this.envm.stateDir, "logs", `${service}.log`));
    return readTail(file, maxBytes);
  }

  identity(service: string): ServiceIdentity {
    const spec = this.spec(service);
    const rec = this.record(service);
    if (!rec || !isRunning(rec))
      throw new UserError(
        `service '${service}' is not running; start the environment with 'fixloop up -f ${this.envm.file}'`,
      );
    const root = spec.repo ?? this.envm.dir;
    const state = this.state();
    return {
      command: spec.command,
      cwdInSource: path.relative(root, serviceCwd(spec, this.envm.dir)) || ".",
      env: { ...rec.env },
      portEnv: spec.portEnv,
      healthPath: spec.health,
      downstreams: Object.entries(spec.dependsOn).map(([name, envVar]) => ({
        name,
        envVar,
        url: rec.env[envVar] ?? state?.components.find((c) => c.name === name)?.url ?? "",
      })),
    };
  }

  async runCopy(service: string, options: CopyOptions): Promise<RunningCopy> {
    const spec = this.spec(service);
    const id = this.identity(service);
    const port = await freePort();
    const env = { ...id.env, ...options.env, [id.portEnv]: String(port) };
    const proc = spawnLogged({
      command: id.command,
      cwd: path.resolve(options.sourceDir, id.cwdInSource),
      env,
      logFile: options.logFile,
    });
    const url = `http://127.0.0.1:${port}`;
    const copy: RunningCopy = {
      label: options.label,
      url,
      pid: proc.pid,
      logFile: options.logFile,
      running: () => isRunning(proc),
      rssBytes: () => residentBytes(proc.pid),
      stop: () => stopGroup(proc, 3000),
    };
    try {
      await waitHealthy(options.label, `${url}${id.healthPath}`, proc, spec.startTimeoutMs);
    } catch (err) {
      await copy.stop();
      throw err;
    }
    return copy;
  }
}

function componentStatus(rec: ComponentRecord): ComponentStatus {
  const running = isRunning(rec);
  const ticks = running ? processStartTicks(rec.pid) : undefined;
  return {
    name: rec.name,
    kind: rec.kind,
    pid: rec.pid,
    running,
    url: rec.url,
    uptimeSeconds: ticks !== undefined ? Math.max(0, systemUptimeSeconds() - ticks / clockTicksPerSecond) : 0,
    // Local processes are not restarted behind our back; a supervisor-backed runtime reports its count.
    restarts: 0,
    rssBytes: running ? residentBytes(rec.pid) : undefined,
    logFile: rec.logFile,
  };
}

function systemUptimeSeconds(): number {
  return Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
}

function readCapped(file: string, maxBytes: number): string {
  try {
    return readTail(file, maxBytes, false);
  } catch {
    return "(unreadable)";
  }
}

/** The manifest, loaded for the scenario the running world was started with (its env and paths). */
export function loadRunningWorld(file: string, stateDir: string | undefined): Environment {
  const envm = loadManifest(file, { stateDir });
  const running = new LocalRuntime(envm).status().scenario;
  return running && running !== envm.scenario ? loadManifest(file, { stateDir, scenario: running }) : envm;
}
