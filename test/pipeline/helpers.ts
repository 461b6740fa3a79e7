import { setTimeout as sleep } from "node:timers/promises";
import type { Patch } from "../../src/bridge/patch.js";
import type { Report } from "../../src/investigate/report.js";
import type { Incident, IncidentSummary } from "../../src/pipeline/incident.js";
import type { Stages } from "../../src/pipeline/stages.js";
import { type RunningService, type ServiceOptions, startService } from "../../src/server/service.js";
import { tempDir } from "../helpers/tmp.js";
import { getJson, post } from "../server/http.js";

export interface TestAlert {
  name?: string;
  fingerprint: string;
  startsAt?: string;
  status?: "firing" | "resolved";
  endsAt?: string;
}

export const defaultStart = "2025-03-01T10:00:00Z";

/** An Alertmanager webhook payload (version 4) carrying `alerts`. */
export function payload(alerts: TestAlert[], groupKey = '{}:{alertname="ErrorRateHigh"}'): string {
  const firing = alerts.some((a) => (a.status ?? "firing") === "firing");
  return JSON.stringify({
    version: "4",
    groupKey,
    status: firing ? "firing" : "resolved",
    receiver: "fixloop",
    groupLabels: { alertname: alerts[0]?.name ?? "ErrorRateHigh" },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.invalid",
    alerts: alerts.map((a) => ({
      status: a.status ?? "firing",
      labels: { alertname: a.name ?? "ErrorRateHigh", service: "web", instance: a.fingerprint },
      annotations: { summary: "errors above the SLO" },
      startsAt: a.startsAt ?? defaultStart,
      endsAt: a.endsAt ?? "0001-01-01T00:00:00Z",
      generatorURL: "http://prometheus.invalid/graph",
      fingerprint: a.fingerprint,
    })),
  });
}

/** A complete (if uneventful) investigation report for an incident. */
export function reportFor(incident: Incident): Report {
  return {
    alert: incident.alert,
    service: "web",
    generatedAt: new Date().toISOString(),
    summary: `${incident.alertName} on web: test report`,
    failingAttributes: [],
    downstream: [],
    recommendation: "revert the suspect change",
    findings: [],
    missingEvidence: [],
    confidence: 0.9,
    evidenceLog: [],
  };
}

export function patchFor(incident: Incident): Patch {
  return {
    strategy: "revert-suspect-change",
    diff: `--- a/app.py\n+++ b/app.py\n@@ -1 +1 @@\n-broken = ${incident.id}\n+broken = 0\n`,
    rationale: "revert",
    baseCommit: "0".repeat(40),
    files: ["app.py"],
    linesAdded: 1,
    linesRemoved: 1,
  };
}

/** A call to a stage, as the stages written in a test record it. */
export interface StageCall {
  stage: "investigate" | "patch" | "verify";
  id: number;
  event: "start" | "end";
}

/**
 * Stages written for a test: they record every start and end, track how many of each run at
 * once, and do what `behave` says (default: finish after `delayMs`, verdict PASS).
 */
export function recordingStages(
  options: { delayMs?: number; behave?: Partial<{ [K in keyof Stages]: Stages[K] }> } = {},
) {
  const calls: StageCall[] = [];
  const active = { investigate: 0, patch: 0, verify: 0 };
  const maxActive = { investigate: 0, patch: 0, verify: 0 };
  const track = async <T>(stage: StageCall["stage"], id: number, body: () => Promise<T>): Promise<T> => {
    calls.push({ stage, id, event: "start" });
    active[stage]++;
    maxActive[stage] = Math.max(maxActive[stage], active[stage]);
    try {
      await sleep(options.delayMs ?? 10);
      return await body();
    } finally {
      active[stage]--;
      calls.push({ stage, id, event: "end" });
    }
  };
  const stages: Stages = {
    investigate: (incident, signal) =>
      track("investigate", incident.id, async () => {
        if (options.behave?.investigate) return options.behave.investigate(incident, signal);
        const report = reportFor(incident);
        return { report, markdown: `# ${incident.alertName}\n\n${report.summary}\n` };
      }),
    patch: (incident, report, signal) =>
      track("patch", incident.id, async () =>
        options.behave?.patch
          ? options.behave.patch(incident, report, signal)
          : { patch: patchFor(incident) },
      ),
    verify: (incident, report, patch, signal) =>
      track("verify", incident.id, async () =>
        options.behave?.verify
          ? options.behave.verify(incident, report, patch, signal)
          : {
              verdict: {
                outcome: "PASS",
                headline: "PASS: SLO cleared",
                rationale: "the patched side cleared the SLO",
              },
              markdown: `# Verdict: PASS\n\nincident ${incident.id}\n`,
            },
      ),
  };
  return { stages, calls, maxActive };
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ""}`);
}

/** Resolves when `signal` aborts, rejecting with its reason (a stage that waits to be stopped). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

export interface TestService {
  url: string;
  stateDir: string;
  service: RunningService;
  webhook(body: string): Promise<{ status: number; body: string }>;
  list(): Promise<IncidentSummary[]>;
  get(id: number): Promise<Incident>;
  /** Waits until incident `id` is concluded or failed. */
  settled(id: number, timeoutMs?: number): Promise<Incident>;
  close(): Promise<void>;
}

/** The real service (store file in a temp dir, HTTP on 127.0.0.1, ephemeral port) with the given stages. */
export async function startTestService(
  stages: Stages,
  options: Partial<ServiceOptions> & { stateDir?: string } = {},
): Promise<TestService> {
  const tmp = options.stateDir ? undefined : tempDir("fixloop-pipeline-");
  const stateDir = options.stateDir ?? (tmp?.dir as string);
  const service = await startService({ host: "127.0.0.1", port: 0, ...options, stateDir }, stages);
  const get = (id: number) => getJson<Incident>(`${service.url}/api/incidents/${id}`);
  return {
    url: service.url,
    stateDir,
    service,
    webhook: (body) => post(`${service.url}/webhooks/alertmanager`, body),
    list: async () =>
      (await getJson<{ incidents: IncidentSummary[] }>(`${service.url}/api/incidents?limit=1000`)).incidents,
    get,
    settled: (id, timeoutMs) =>
      waitFor(
        `incident ${id} to settle`,
        async () => {
          const incident = await get(id);
          return incident.stage === "concluded" || incident.stage === "failed" ? incident : undefined;
        },
        timeoutMs,
      ),
    async close() {
      await service.close();
      tmp?.cleanup();
    },
  };
}
