import type { Patch } from "../../bridge/patch.js";
import type { Verdict } from "../../verify/verdict.js";

/**
 * What the UI pages show, kept flat so the server can map its stored incident onto it directly.
 * Times are ISO 8601 strings.
 */

/** How an incident ended: the verifier's outcome, no candidate patch, or the pipeline itself failed. */
export type IncidentOutcome = "PASS" | "REJECT" | "INCONCLUSIVE" | "no-patch" | "failed";

/** One line of the incident list. */
export interface IncidentRow {
  id: string;
  alertName: string;
  service: string;
  /** The pipeline stage it is in, or ended in, e.g. `investigating`, `patching`, `verifying`, `done`. */
  stage: string;
  /** Absent while the pipeline is still working on the incident. */
  outcome?: IncidentOutcome;
  receivedAt: string;
  concludedAt?: string;
  /** One line, e.g. the verdict's headline or the report's cause. */
  summary?: string;
}

export interface StageTime {
  stage: string;
  startedAt: string;
  /** Absent while the stage runs. */
  finishedAt?: string;
}

/** Everything the incident page shows; each part is absent until its stage has produced it. */
export interface IncidentView {
  row: IncidentRow;
  reportMarkdown?: string;
  patch?: Patch;
  verdict?: Verdict;
  /** The proof bundle; its presence also enables the link to `/api/incidents/:id/bundle.md`. */
  bundleMarkdown?: string;
  /** Why the pipeline failed, when it did. */
  error?: string;
  stageTimes: StageTime[];
}
