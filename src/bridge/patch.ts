/** A candidate fix: a unified diff against the service repo's HEAD, never applied to the repo itself. */
export interface Patch {
  /** Which bridge strategy produced it: `revert-suspect-change`, `llm-edit`, `external`. */
  strategy: string;
  /** Unified diff (`git diff` format) relative to the repo root. */
  diff: string;
  rationale: string;
  /** The commit the diff applies to. */
  baseCommit: string;
  files: string[];
  linesAdded: number;
  linesRemoved: number;
}
