import type { Alert } from "../alerts/alert.js";
import type { Patch } from "../bridge/patch.js";
import type { Report } from "../investigate/report.js";
import type { VerdictOutcome } from "../verify/verdict.js";

/** The pipeline's steps, in the order an incident goes through them. */
export const stageNames = ["investigate", "patch", "verify"] as const;
export type StageName = (typeof stageNames)[number];

/**
 * Where an incident stands. `received`, `investigating`, `patching` and `verifying` are unfinished:
 * the stage is queued or running, and a restart runs it (again).
 */
export type IncidentStage = "received" | "investigating" | "patching" | "verifying" | "concluded" | "failed";

/** `no-patch`: the bridge found no candidate, so there was nothing to verify. */
export type IncidentOutcome = VerdictOutcome | "no-patch";

/** What the pipeline keeps of a verdict; the verifier's full Verdict is stored as it came. */
export interface VerdictLike {
  outcome: VerdictOutcome;
  rationale: string;
  headline?: string;
}

/** One run of a stage on an incident: a start-up finds `running` rows of a process that died. */
export interface StageAttempt {
  stage: StageName;
  /** 1-based count within the current run of the stage (reset by a rerun). */
  attempt: number;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  result: "running" | "ok" | "error" | "timeout" | "interrupted";
  error?: string;
}

/** What lists show: the incident without its report, patch and verdict bodies. */
export interface IncidentSummary {
  id: number;
  alertName: string;
  /** The service the investigation found the alert to be about. */
  service?: string;
  /** The alert's identity with its start: a repeat or regrouped notification maps to the same incident. */
  fingerprint: string;
  startsAt: string;
  stage: IncidentStage;
  /** Attempts at the current stage. */
  attempts: number;
  outcome?: IncidentOutcome;
  /** The verdict's one-line headline, or the bridge's reasons when there was no patch. */
  headline?: string;
  /** The last error: why a stage is being retried, or why the incident failed. */
  error?: string;
  failedStage?: StageName;
  receivedAt: string;
  updatedAt: string;
  resolvedAt?: string;
  /** Webhook notifications that carried this alert. */
  notifications: number;
}

export interface Incident extends IncidentSummary {
  alert: Alert;
  report?: Report;
  reportMarkdown?: string;
  patch?: Patch;
  noPatchReasons?: string[];
  verdict?: VerdictLike;
  bundleMarkdown?: string;
  history: StageAttempt[];
}

/** The stage whose queue an unfinished incident waits in. */
export function pendingStage(stage: IncidentStage): StageName | undefined {
  switch (stage) {
    case "received":
    case "investigating":
      return "investigate";
    case "patching":
      return "patch";
    case "verifying":
      return "verify";
    case "concluded":
    case "failed":
      return undefined;
  }
}

/** The incident stage that stands for running (or waiting to run) a pipeline stage. */
export const runningStage: Record<StageName, IncidentStage> = {
  investigate: "investigating",
  patch: "patching",
  verify: "verifying",
};
