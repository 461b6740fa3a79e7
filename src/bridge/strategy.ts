import type { Report } from "../investigate/report.js";
import type { DiffStats } from "./diff.js";

/** A source file of the service repo at HEAD that the failure runs through. */
export interface SourceFile {
  /** Repo-relative path. */
  path: string;
  content: string;
  /** Lines (1-based, HEAD) that stack frames or the suspect change point at in this file. */
  lines: number[];
}

export type Validation = { ok: true; stats: DiffStats } | { ok: false; reasons: string[] };

export interface StrategyContext {
  report: Report;
  /** The service's own git working tree: read it only (git read commands), never write to it. */
  repo: string;
  /** The commit every candidate must apply to. */
  head: string;
  sources: SourceFile[];
  /** Runs the bridge's full validation on a diff, so a strategy can repair a rejected candidate once. */
  validate(diff: string): Promise<Validation>;
}

export type Proposal = { diff: string; rationale: string } | { noCandidate: string };

/** One way of turning a report into a candidate diff; the bridge validates whatever it proposes. */
export interface BridgeStrategy {
  /** Recorded as Patch.strategy, e.g. `revert-suspect-change`. */
  readonly name: string;
  propose(ctx: StrategyContext): Promise<Proposal>;
}
