import type { Alert } from "../alerts/alert.js";
import { fetchActiveAlerts } from "../alerts/alertmanager.js";
import { investigate } from "../investigate/engine.js";
import { loadManifest } from "../manifest/load.js";
import { LocalRuntime } from "../runtime/local.js";
import { UserError } from "../util/errors.js";

/**
 * Alert → report time of the deterministic engine against a world that is up (real Prometheus,
 * logs, git): the first active alert (or the one given) investigated `runs` times in a row.
 */
export interface InvestigateBench {
  alert: string;
  runs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** The last run's evidence log length and confidence, to show the runs did real work. */
  evidenceRecords: number;
  confidence: number;
}

export async function benchInvestigate(
  manifestFile: string,
  options: { stateDir?: string; runs?: number; alert?: Alert } = {},
): Promise<InvestigateBench> {
  const runs = options.runs ?? 20;
  const envm = loadManifest(manifestFile, { stateDir: options.stateDir });
  const runtime = new LocalRuntime(envm);
  let alert = options.alert;
  if (!alert) {
    const url = runtime.status().alertmanagerUrl;
    if (!url) throw new UserError(`${manifestFile}: the world is not up; start it with 'fixloop up' first`);
    alert = (await fetchActiveAlerts(url))[0];
    if (!alert) throw new UserError(`no active alert at ${url} to investigate`);
  }
  const timings: number[] = [];
  let last: Awaited<ReturnType<typeof investigate>> | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    last = await investigate(alert, envm, runtime);
    timings.push(performance.now() - started);
  }
  timings.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round((timings[Math.min(timings.length - 1, Math.ceil(q * timings.length) - 1)] ?? 0) * 10) / 10;
  return {
    alert: alert.name,
    runs,
    p50Ms: at(0.5),
    p95Ms: at(0.95),
    maxMs: at(1),
    evidenceRecords: last?.evidenceLog.length ?? 0,
    confidence: last?.confidence ?? 0,
  };
}
