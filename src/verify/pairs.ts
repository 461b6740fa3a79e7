import type { Evidence } from "./evidence.js";
import { isError, type Outcome } from "./replay.js";
import type { PlannedRequest } from "./traffic.js";
import type { ChangedRequests, RequestGroup, SharedValue } from "./verdict.js";

/** Paired pass/fail counts: b = pass → fail (regressions), c = fail → pass (fixes), over n pairs. */
export interface Discordance {
  b: number;
  c: number;
  n: number;
}

export type Change = "newly-failing" | "newly-passing";

const maxGroups = 50;
const maxSharedValues = 10;

export function discordance(
  evidence: Evidence,
  include: (req: PlannedRequest) => boolean = () => true,
): Discordance {
  let b = 0;
  let c = 0;
  let n = 0;
  evidence.requests.forEach((req, i) => {
    if (!include(req)) return;
    n++;
    const base = isError(evidence.baseline.outcomes[i] as Outcome);
    const patched = isError(evidence.patched.outcomes[i] as Outcome);
    if (!base && patched) b++;
    if (base && !patched) c++;
  });
  return { b, c, n };
}

/**
 * The requests whose outcome flipped in one direction, grouped by what was sent, plus the traffic
 * variable values most of them share (e.g. all newly failing requests have `shape=8`).
 */
export function changedRequests(evidence: Evidence, change: Change): ChangedRequests {
  const groups = new Map<string, RequestGroup>();
  const changed: PlannedRequest[] = [];
  evidence.requests.forEach((req, i) => {
    const base = evidence.baseline.outcomes[i] as Outcome;
    const patched = evidence.patched.outcomes[i] as Outcome;
    const flipped =
      change === "newly-failing" ? !isError(base) && isError(patched) : isError(base) && !isError(patched);
    if (!flipped) return;
    changed.push(req);
    const baseline = label(base);
    const patchedLabel = label(patched);
    const key = `${req.description}\u0000${baseline}\u0000${patchedLabel}`;
    const group = groups.get(key);
    if (group) group.count++;
    else
      groups.set(key, {
        description: req.description,
        count: 1,
        baseline,
        patched: patchedLabel,
        firstIndex: i,
      });
  });
  return {
    total: changed.length,
    groups: [...groups.values()]
      .sort((a, b) => b.count - a.count || a.firstIndex - b.firstIndex)
      .slice(0, maxGroups),
    sharedValues: sharedValues(evidence.requests, changed),
  };
}

/** `200`, `500`, or the transport failure (`timeout`, `connection`, `protocol`). */
export function label(o: Outcome): string {
  return o.failure ?? String(o.status);
}

/** Values carried by at least half of their requests' flips and by a fifth of all flips. */
function sharedValues(all: readonly PlannedRequest[], changed: readonly PlannedRequest[]): SharedValue[] {
  if (changed.length < 2) return [];
  const totals = new Map<string, number>();
  for (const req of all) for (const [k, v] of Object.entries(req.vars)) bump(totals, `${k}=${v}`);
  const counts = new Map<string, number>();
  for (const req of changed) for (const [k, v] of Object.entries(req.vars)) bump(counts, `${k}=${v}`);
  const out: SharedValue[] = [];
  for (const [key, n] of counts) {
    const total = totals.get(key) ?? n;
    if (n < 2 || n / total < 0.5 || n < 0.2 * changed.length) continue;
    const eq = key.indexOf("=");
    out.push({ variable: key.slice(0, eq), value: key.slice(eq + 1), changed: n, total });
  }
  return out
    .sort((a, b) => b.changed - a.changed || b.changed / b.total - a.changed / a.total)
    .slice(0, maxSharedValues);
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
