import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import path from "node:path";
import { type Environment, serviceCwd, startOrder } from "../manifest/load.js";
import { alertmanagerConfig, prometheusConfig } from "../monitoring/config.js";
import {
  alertmanagerArgs,
  checkConfig,
  installHint,
  prometheusArgs,
  writeConfig,
} from "../monitoring/managed.js";
import { UserError } from "../util/errors.js";
import { waitHealthy } from "./health.js";
import { allocatePort } from "./ports.js";
import { isRunning, resolveProgram, spawnLogged, stopGroup } from "./process.js";
import type { ComponentKind } from "./runtime.js";
import { type ComponentRecord, readState, removeState, type WorldState, writeState } from "./state.js";

export interface UpOptions {
  /** fixloop's webhook receiver for the managed Alertmanager. */
  webhookUrl?: string;
  onProgress?: (message: string) => void;
}

/** The variables a service inherits from the caller; everything else comes from the manifest. */
const inheritedEnv = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER"];

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of inheritedEnv) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/**
 * Starts the environment: the scenario's prepare steps, services in dependency order (each
 * healthy before the next), managed Alertmanager and Prometheus, then workers. On any failure,
 * everything already started is stopped again.
 */
export async function up(envm: Environment, options: UpOptions = {}): Promise<WorldState> {
  const { manifest: m, stateDir } = envm;
  const progress = options.onProgress ?? (() => {});
  const existing = readState(stateDir);
  if (existing?.components.some(isRunning)) {
    throw new UserError(
      `${envm.file}: already up (state in ${stateDir}); run 'fixloop down -f ${envm.file}' first`,
    );
  }
  checkPrograms(envm);

  const scenario = envm.scenario ? m.scenarios[envm.scenario] : undefined;
  for (const step of scenario?.prepare ?? []) {
    progress(`prepare: ${step.join(" ")}`);
    runPrepare(step, envm.dir);
  }

  const state: WorldState = {
    manifest: envm.file,
    scenario: envm.scenario,
    startedAt: new Date().toISOString(),
    webhookUrl: options.webhookUrl,
    components: [],
  };
  const logDir = path.join(stateDir, "logs");
  rotateLogs(logDir);
  const start = (
    name: string,
    kind: ComponentKind,
    command: string[],
    cwd: string,
    env: Record<string, string>,
    extra: Partial<ComponentRecord> = {},
  ) => {
    const rec: ComponentRecord = {
      ...spawnLogged({ command, cwd, env, logFile: path.join(logDir, `${name}.log`) }),
      name,
      kind,
      env,
      ...extra,
    };
    state.components.push(rec);
    writeState(stateDir, state);
    return rec;
  };

  try {
    const urls: Record<string, string> = {};
    for (const name of startOrder(m, envm.file)) {
      const spec = m.services[name];
      if (!spec) continue;
      const port = await allocatePort(spec.port, `services.${name}.port`);
      const url = `http://127.0.0.1:${port}`;
      const env: Record<string, string> = {
        ...baseEnv(),
        ...spec.env,
        ...(scenario?.env[name] ?? {}),
        [spec.portEnv]: String(port),
      };
      for (const [dep, envVar] of Object.entries(spec.dependsOn)) env[envVar] = urls[dep] as string;
      const cwd = serviceCwd(spec, envm.dir);
      progress(`start ${name} on ${url}`);
      const rec = start(name, "service", spec.command, cwd, env, { port, url });
      await waitHealthy(`service '${name}'`, `${url}${spec.health}`, rec, spec.startTimeoutMs);
      urls[name] = url;
    }

    const monitoringDir = path.join(stateDir, "monitoring");
    const am = m.monitoring.alertmanager;
    if (am.mode === "managed") {
      const port = await allocatePort(am.port, "monitoring.alertmanager.port");
      const file = writeConfig(
        monitoringDir,
        "alertmanager.yml",
        alertmanagerConfig({ ...am, webhookUrl: options.webhookUrl }),
      );
      checkConfig(["amtool", "check-config"], file, "monitoring.alertmanager");
      const dataDir = freshDir(path.join(monitoringDir, "alertmanager-data"));
      state.alertmanagerUrl = `http://127.0.0.1:${port}`;
      progress(`start alertmanager on ${state.alertmanagerUrl}`);
      const rec = start(
        "alertmanager",
        "alertmanager",
        [am.binary, ...alertmanagerArgs(file, dataDir, port)],
        monitoringDir,
        baseEnv(),
        {
          port,
          url: state.alertmanagerUrl,
        },
      );
      await waitHealthy("alertmanager", `${state.alertmanagerUrl}/-/ready`, rec, 15_000);
    } else {
      state.alertmanagerUrl = am.url.replace(/\/$/, "");
    }

    const prom = m.monitoring.prometheus;
    if (prom.mode === "managed") {
      const port = await allocatePort(prom.port, "monitoring.prometheus.port");
      const targets = Object.entries(m.services).flatMap(([name, spec]) =>
        spec.metrics
          ? [{ job: name, address: (urls[name] as string).replace("http://", ""), metricsPath: spec.metrics }]
          : [],
      );
      const config = prometheusConfig({
        scrapeInterval: prom.scrapeInterval,
        evaluationInterval: prom.evaluationInterval,
        ruleFiles: prom.rules,
        alertmanagerAddress: state.alertmanagerUrl?.replace(/^https?:\/\//, ""),
        targets,
      });
      const file = writeConfig(monitoringDir, "prometheus.yml", config);
      checkConfig(["promtool", "check", "config"], file, "monitoring.prometheus");
      const dataDir = freshDir(path.join(monitoringDir, "prometheus-data"));
      state.prometheusUrl = `http://127.0.0.1:${port}`;
      progress(`start prometheus on ${state.prometheusUrl}`);
      const rec = start(
        "prometheus",
        "prometheus",
        [prom.binary, ...prometheusArgs(file, dataDir, port)],
        monitoringDir,
        baseEnv(),
        {
          port,
          url: state.prometheusUrl,
        },
      );
      await waitHealthy("prometheus", `${state.prometheusUrl}/-/ready`, rec, 20_000);
    } else {
      state.prometheusUrl = prom.url.replace(/\/$/, "");
    }
    writeState(stateDir, state);

    for (const [name, spec] of Object.entries(m.workers)) {
      const env: Record<string, string> = { ...baseEnv(), ...spec.env };
      for (const [target, envVar] of Object.entries(spec.targets)) env[envVar] = urls[target] as string;
      progress(`start worker ${name}`);
      start(name, "worker", spec.command, spec.cwd ?? envm.dir, env);
    }
    return state;
  } catch (err) {
    await stopComponents(state.components);
    removeState(stateDir);
    throw err;
  }
}

export interface DownResult {
  stopped: string[];
}

/** Stops exactly what `up` recorded in the state dir, workers first, then the rest in reverse start order. */
export async function down(envm: Environment): Promise<DownResult> {
  const state = readState(envm.stateDir);
  if (!state) return { stopped: [] };
  const stopped = state.components.filter(isRunning).map((c) => c.name);
  await stopComponents(state.components);
  removeState(envm.stateDir);
  return { stopped };
}

async function stopComponents(components: ComponentRecord[]): Promise<void> {
  const workers = components.filter((c) => c.kind === "worker");
  const rest = components.filter((c) => c.kind !== "worker").reverse();
  await Promise.all(workers.map((c) => stopGroup(c)));
  for (const c of rest) await stopGroup(c);
}

/**
 * Managed monitoring starts empty: Alertmanager's notification log would otherwise remember that
 * an identical alert of an earlier world was already sent, and stay silent for repeat_interval.
 */
function freshDir(dir: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Keeps the previous world's logs as `*.log.1` so a new world's investigation reads only its own. */
function rotateLogs(logDir: string): void {
  let names: string[];
  try {
    names = readdirSync(logDir);
  } catch {
    return;
  }
  for (const name of names)
    if (name.endsWith(".log")) renameSync(path.join(logDir, name), path.join(logDir, `${name}.1`));
}

function checkPrograms(envm: Environment): void {
  const { manifest: m } = envm;
  for (const [name, spec] of Object.entries(m.services)) {
    resolveProgram(spec.command[0] as string, `services.${name}.command`);
  }
  for (const [name, spec] of Object.entries(m.workers))
    resolveProgram(spec.command[0] as string, `workers.${name}.command`);
  if (m.monitoring.prometheus.mode === "managed") {
    resolveProgram(m.monitoring.prometheus.binary, "monitoring.prometheus", installHint);
    resolveProgram("promtool", "monitoring.prometheus", installHint);
  }
  if (m.monitoring.alertmanager.mode === "managed") {
    resolveProgram(m.monitoring.alertmanager.binary, "monitoring.alertmanager", installHint);
    resolveProgram("amtool", "monitoring.alertmanager", installHint);
  }
}

function runPrepare(step: string[], cwd: string): void {
  const [program, ...args] = step;
  resolveProgram(program as string, "scenarios.prepare");
  const res = spawnSync(program as string, args, { cwd, encoding: "utf8", timeout: 120_000 });
  if (res.status !== 0) {
    const output = `${res.stdout ?? ""}${res.stderr ?? ""}`.trim().split("\n").slice(-10).join("\n");
    throw new UserError(
      `scenario prepare step failed (${step.join(" ")}, exit ${res.status ?? res.signal}):\n${output}`,
      1,
    );
  }
}
