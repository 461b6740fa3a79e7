import path from "node:path";
import { serviceTarget } from "../bridge/bridge.js";
import type { CheckSpec } from "../bridge/check.js";
import type { Environment } from "../manifest/load.js";
import { UserError } from "../util/errors.js";
import { parseSlo, parseWatch, type SloCondition, type WatchSpec, watchList } from "./conditions.js";
import { checkTraffic, type TrafficProfile } from "./traffic.js";

/** What to verify, resolved from the manifest and the caller's overrides. */
export interface VerifyTarget {
  service: string;
  /** The alert whose SLO and traffic are used, when one was named (or is the service's only one). */
  alert?: string;
  repo: string;
  check?: CheckSpec;
  slo: SloCondition;
  watch: WatchSpec[];
  traffic: TrafficProfile;
  logs: { entryStart: string; secretEnv: string[] };
  /** Where each run's candidate logs go (a folder per run). */
  logRoot: string;
}

export interface TargetOptions {
  service?: string;
  alert?: string;
  /** Overrides the alert's SLO condition. */
  slo?: string;
  /** Added to (or replacing, per signal) the alert's watchlist. */
  watch?: string[];
}

export function resolveTarget(envm: Environment, opts: TargetOptions): VerifyTarget {
  const m = envm.manifest;
  if (!opts.alert && !opts.slo) throw new UserError("pass --alert NAME or --slo 'error_rate > 0.05'");
  const sloOverride = opts.slo ? parseSlo(opts.slo) : undefined;
  for (const text of opts.watch ?? []) parseWatch(text); // report a bad --watch before anything else
  const alertSpec = opts.alert ? m.alerts[opts.alert] : undefined;
  if (opts.alert && !alertSpec) {
    const known = Object.keys(m.alerts);
    throw new UserError(
      `${envm.file}: no alert named '${opts.alert}' (known: ${known.length ? known.join(", ") : "none"})`,
    );
  }
  const service = opts.service ?? alertSpec?.service;
  if (!service) throw new UserError("--service NAME is required with --slo (or pass --alert NAME)");
  if (alertSpec && alertSpec.service !== service)
    throw new UserError(`alert '${opts.alert}' is about service '${alertSpec.service}', not '${service}'`);

  // The traffic profile lives on an alert: the named one, else the service's only one.
  let alertName = opts.alert;
  if (!alertName) {
    const candidates = Object.entries(m.alerts)
      .filter(([, a]) => a.service === service)
      .map(([name]) => name);
    if (candidates.length === 0)
      throw new UserError(
        `${envm.file}: no traffic profile for '${service}': add alerts.<name>.traffic for it, then pass --alert`,
      );
    if (candidates.length > 1)
      throw new UserError(
        `service '${service}' has several alerts (${candidates.join(", ")}): pass --alert to choose the traffic profile`,
      );
    alertName = candidates[0] as string;
  }
  const alert = m.alerts[alertName];
  if (!alert) throw new UserError(`${envm.file}: no alert named '${alertName}'`);
  checkTraffic(alert.traffic, `alerts.${alertName}.traffic`);

  const spec = m.services[service];
  if (!spec) throw new UserError(`${envm.file}: no service named '${service}'`);
  if (!spec.repo)
    throw new UserError(
      `${envm.file}: services.${service} has no repo: the verifier runs the service's source from git`,
    );
  const bridgeTarget = serviceTarget(envm, service);
  return {
    service,
    alert: alertName,
    repo: bridgeTarget.repo,
    check: bridgeTarget.check,
    slo: sloOverride ?? parseSlo(alert.slo, `alerts.${alertName}.slo`),
    watch: watchList(alert.watch, opts.watch ?? []),
    traffic: alert.traffic,
    logs: { entryStart: spec.logs.entryStart, secretEnv: spec.secretEnv },
    logRoot: path.join(envm.stateDir, "verify"),
  };
}
