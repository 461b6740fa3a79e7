import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { ModelChoice } from "../llm/model.js";
import { loadManifest } from "../manifest/load.js";
import type { Incident, IncidentSummary } from "../pipeline/incident.js";
import { realStages } from "../pipeline/stages.js";
import { down, up } from "../runtime/lifecycle.js";
import { startService } from "../server/service.js";
import { uiRoutes } from "../server/ui/routes.js";

export interface RunOptions {
  manifestFile: string;
  scenario?: string;
  stateDir?: string;
  /** Stop after this many incidents have concluded (or failed)… */
  until: number;
  /** …counting only incidents of this alert (the one a scenario is designed to fire). */
  untilAlert?: string;
  timeoutMs: number;
  onProgress: (message: string) => void;
  model?: ModelChoice;
}

export interface IncidentResult {
  id: number;
  alert: string;
  service?: string;
  stage: string;
  outcome?: string;
  headline?: string;
  cause?: string;
  patch?: { strategy: string; files: string[]; linesAdded: number; linesRemoved: number };
  error?: string;
  /** Seconds from the alert's start to the incident's conclusion, and per stage. */
  alertToVerdictSeconds?: number;
  stageSeconds: Record<string, number>;
}

export interface RunResult {
  scenario?: string;
  /** The alert the scenario is designed to fire, and the verdict it should reach. */
  alert?: string;
  expected?: string;
  upSeconds: number;
  firstAlertSeconds?: number;
  incidents: IncidentResult[];
  timedOut: boolean;
  /** Where the run's incident store lives, for `fixloop serve --state-dir` to browse later. */
  storeDir: string;
}

/**
 * The main job: bring the world up with the pipeline service receiving Alertmanager's webhooks,
 * let incidents run through investigate → patch → verify, then bring everything down again
 * (also on Ctrl-C). Never deploys: the result is the reports, patches and verdicts.
 */
export async function runWorld(options: RunOptions): Promise<RunResult> {
  const envm = loadManifest(options.manifestFile, { scenario: options.scenario, stateDir: options.stateDir });
  const progress = options.onProgress;
  // Each run gets its own incident store: incidents of an earlier world must not resume in this one.
  const storeDir = path.join(envm.stateDir, "runs", new Date().toISOString().replace(/[:.]/g, "-"));
  const service = await startService(
    { stateDir: storeDir, host: "127.0.0.1", port: 0, log: (m) => progress(m), ui: uiRoutes },
    realStages({
      manifestFile: envm.file,
      stateDir: envm.stateDir,
      ...(options.model ? { model: options.model } : {}),
    }),
  );
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await down(envm);
      await service.close();
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping the world and the pipeline`);
    void stop().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    const started = Date.now();
    progress(`pipeline listening on ${service.url}`);
    await up(envm, { webhookUrl: `${service.url}/webhooks/alertmanager`, onProgress: progress });
    const upSeconds = (Date.now() - started) / 1000;
    progress(
      `world up in ${upSeconds.toFixed(1)} s${envm.scenario ? ` (scenario ${envm.scenario})` : ""}; waiting for alerts`,
    );

    let firstAlertSeconds: number | undefined;
    const seen = new Map<number, string>();
    const deadline = started + options.timeoutMs;
    let finished: IncidentSummary[] = [];
    while (Date.now() < deadline) {
      const incidents = service.store.list();
      for (const i of incidents) {
        const was = seen.get(i.id);
        if (was === undefined && firstAlertSeconds === undefined)
          firstAlertSeconds = (Date.now() - started) / 1000;
        if (was !== i.stage) {
          progress(
            `incident ${i.id} ${i.alertName}: ${i.stage}${i.outcome ? ` → ${i.outcome}` : ""}${i.error ? ` (${i.error})` : ""}`,
          );
          seen.set(i.id, i.stage);
        }
      }
      finished = incidents.filter(
        (i) =>
          (i.stage === "concluded" || i.stage === "failed") &&
          (!options.untilAlert || i.alertName === options.untilAlert),
      );
      if (finished.length >= options.until) break;
      await sleep(500);
    }
    const timedOut = finished.length < options.until;
    const incidents = finished
      .map((i) => service.store.get(i.id))
      .filter((i): i is Incident => i !== undefined)
      .map(summarize);
    return {
      scenario: envm.scenario,
      alert: envm.scenario ? envm.manifest.scenarios[envm.scenario]?.alert : undefined,
      expected: envm.scenario ? envm.manifest.scenarios[envm.scenario]?.expect : undefined,
      upSeconds,
      firstAlertSeconds,
      incidents,
      timedOut,
      storeDir,
    };
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await stop();
  }
}

function summarize(i: Incident): IncidentResult {
  const stageSeconds: Record<string, number> = {};
  for (const a of i.history) {
    if (a.durationMs !== undefined)
      stageSeconds[a.stage] = (stageSeconds[a.stage] ?? 0) + a.durationMs / 1000;
  }
  const concludedAt = Date.parse(i.updatedAt);
  return {
    id: i.id,
    alert: i.alertName,
    service: i.report?.service,
    stage: i.stage,
    outcome: i.outcome,
    headline: i.headline,
    cause: i.report?.errorSignature?.template ?? (i.report ? i.report.summary.split(". ")[1] : undefined),
    patch: i.patch && {
      strategy: i.patch.strategy,
      files: i.patch.files,
      linesAdded: i.patch.linesAdded,
      linesRemoved: i.patch.linesRemoved,
    },
    error: i.error,
    alertToVerdictSeconds: Number.isNaN(concludedAt)
      ? undefined
      : (concludedAt - Date.parse(i.startsAt)) / 1000,
    stageSeconds,
  };
}

export function formatRun(result: RunResult): string {
  const lines: string[] = [];
  const title = result.scenario ? `scenario ${result.scenario}` : "run";
  lines.push(
    `${title}: world up in ${result.upSeconds.toFixed(1)} s${result.firstAlertSeconds !== undefined ? `, first alert after ${result.firstAlertSeconds.toFixed(1)} s` : ""}`,
  );
  if (result.timedOut) lines.push(`  timed out waiting for incidents to conclude`);
  for (const i of result.incidents) {
    lines.push(
      `  incident ${i.id} ${i.alert}${i.service ? ` on ${i.service}` : ""}: ${i.outcome ?? i.stage.toUpperCase()}`,
    );
    if (i.cause) lines.push(`    cause:   ${i.cause}`);
    if (i.patch)
      lines.push(
        `    patch:   ${i.patch.strategy}, ${i.patch.files.join(", ")} (+${i.patch.linesAdded} −${i.patch.linesRemoved})`,
      );
    if (i.headline) lines.push(`    verdict: ${i.headline}`);
    if (i.error) lines.push(`    error:   ${i.error}`);
    const stages = Object.entries(i.stageSeconds)
      .map(([s, sec]) => `${s} ${sec.toFixed(1)} s`)
      .join(", ");
    lines.push(
      `    timings: ${stages}${i.alertToVerdictSeconds !== undefined ? `; alert → verdict ${i.alertToVerdictSeconds.toFixed(1)} s` : ""}`,
    );
  }
  return lines.join("\n");
}
