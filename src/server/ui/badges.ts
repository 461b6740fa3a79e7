import { escapeHtml } from "./html.js";
import type { IncidentOutcome, IncidentRow } from "./view.js";

const outcomeClass: Record<IncidentOutcome, string> = {
  PASS: "pass",
  REJECT: "reject",
  INCONCLUSIVE: "inconclusive",
  "no-patch": "neutral",
  failed: "failed",
};

/** The incident's outcome, or a grey "in progress" badge naming the running stage. */
export function outcomeBadge(
  row: Pick<IncidentRow, "outcome" | "stage">,
  size: "normal" | "big" = "normal",
): string {
  const big = size === "big" ? " big" : "";
  if (!row.outcome)
    return `<span class="badge progress${big}" title="in progress">${escapeHtml(row.stage)}…</span>`;
  return `<span class="badge ${outcomeClass[row.outcome]}${big}">${escapeHtml(row.outcome)}</span>`;
}

/** `PASS: the patched …` shown beside its badge loses the `PASS: ` the badge already says. */
export function withoutOutcome(text: string, outcome: string | undefined): string {
  return outcome && text.startsWith(`${outcome}: `) ? text.slice(outcome.length + 2) : text;
}

export function stageBadge(stage: string): string {
  return `<span class="stage">${escapeHtml(stage)}</span>`;
}

/** Kinds of status a table cell can carry; each has one colour. */
export type Tone = "good" | "bad" | "unsure" | "info";

export function statusChip(text: string, tone: Tone): string {
  return `<span class="chip ${tone}">${escapeHtml(text)}</span>`;
}
