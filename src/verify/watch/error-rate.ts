import type { WatchSpec } from "../conditions.js";
import { fmtP, fmtPoints, fmtRate } from "../format.js";
import { type Discordance, discordance } from "../pairs.js";
import { isError, type Outcome } from "../replay.js";
import { mcnemarExact } from "../stats.js";
import type { PlannedRequest } from "../traffic.js";
import type { WatchResult, WatchStatus } from "../verdict.js";
import { type WatchContext, worstStatus } from "./comparator.js";

/** Variables with at most this many distinct values are strata; finer ones (ids) are too thin to test. */
const maxStratumValues = 20;
/** A stratum with this many new failures but no significance yet is worth more requests. */
const suggestiveFailures = 3;

/**
 * Error rate, paired: exact McNemar on the requests whose outcome flipped. Over all requests, the
 * fixes the patch was made for offset anything it breaks, so the test is also run per stratum of the
 * request mix (each value of a categorical traffic variable, each request template; Bonferroni
 * across strata): a patch that fixes one kind of request and breaks another shows up there.
 */
export function compareErrorRate(spec: WatchSpec, ctx: WatchContext): WatchResult {
  const { evidence, alpha } = ctx;
  const strata = stratify(evidence.requests);
  const overall = judge(
    spec,
    "all requests",
    discordance(evidence),
    rateOf(evidence, () => true),
    alpha,
    true,
  );
  const details = strata
    .map((s) =>
      judge(
        spec,
        s.name,
        discordance(evidence, s.include),
        rateOf(evidence, s.include),
        alpha / strata.length,
        false,
      ),
    )
    .filter((r) => (r.test?.statistics.b ?? 0) > 0)
    .sort((a, b) => (a.test?.pValue ?? 1) - (b.test?.pValue ?? 1));
  const worst =
    details.find((d) => d.status === "regressed") ?? details.find((d) => d.status === "undetermined");
  const status = worstStatus([overall, ...details]);
  // When a stratum decides, say so first: "shape=8: 15 of 15 newly fail …; all requests: …".
  const decidedByStratum = worst !== undefined && overall.status !== status;
  return {
    ...overall,
    subject: decidedByStratum ? worst.subject : undefined,
    status,
    summary: decidedByStratum
      ? `${worst.subject}: ${worst.summary}; all requests: ${overall.summary}`
      : overall.summary,
    details: details.length ? details : undefined,
  };
}

function judge(
  spec: WatchSpec,
  subject: string,
  d: Discordance,
  baselineRate: number,
  alpha: number,
  overall: boolean,
): WatchResult {
  const m = mcnemarExact(d.b, d.c);
  const change = d.n ? (d.b - d.c) / d.n : 0;
  const patchedRate = baselineRate + change;
  const tolerance = spec.relative ? spec.tolerance * baselineRate : spec.tolerance;
  const significant = m.pPatchedWorse < alpha;
  const beyond = change > tolerance;
  let status: WatchStatus = "ok";
  if (beyond)
    status = significant ? "regressed" : overall || d.b >= suggestiveFailures ? "undetermined" : "ok";
  return {
    spec: spec.text,
    signal: spec.signal,
    subject,
    unit: "ratio",
    baseline: baselineRate,
    patched: patchedRate,
    change: { value: change, interval: "point estimate" },
    tolerance,
    test: {
      test: "exact McNemar, one-sided (patched fails more)",
      pValue: m.pPatchedWorse,
      alpha,
      significant,
      statistics: { b: d.b, c: d.c, n: d.n },
    },
    status,
    summary: `${d.b} of ${d.n} newly fail, ${d.c} newly pass: error rate ${fmtRate(baselineRate)} → ${fmtRate(patchedRate)} (${fmtPoints(change)}, tolerance ${fmtPoints(tolerance)}), McNemar ${fmtP(m.pPatchedWorse)}`,
  };
}

function rateOf(evidence: WatchContext["evidence"], include: (r: PlannedRequest) => boolean): number {
  let n = 0;
  let errors = 0;
  evidence.requests.forEach((req, i) => {
    if (!include(req)) return;
    n++;
    if (isError(evidence.baseline.outcomes[i] as Outcome)) errors++;
  });
  return n ? errors / n : 0;
}

interface Stratum {
  name: string;
  include: (r: PlannedRequest) => boolean;
}

function stratify(requests: readonly PlannedRequest[]): Stratum[] {
  const values = new Map<string, Set<string>>();
  const templates = new Map<number, string>();
  for (const req of requests) {
    templates.set(req.template, `${req.method} ${req.path.split("?")[0]}`);
    for (const [k, v] of Object.entries(req.vars)) {
      const set = values.get(k) ?? new Set<string>();
      set.add(v);
      values.set(k, set);
    }
  }
  const strata: Stratum[] = [];
  if (templates.size > 1) {
    for (const [t, name] of templates)
      strata.push({ name: `request #${t + 1} (${name})`, include: (r) => r.template === t });
  }
  for (const [variable, set] of values) {
    if (set.size < 2 || set.size > maxStratumValues) continue;
    for (const value of set)
      strata.push({ name: `${variable}=${value}`, include: (r) => r.vars[variable] === value });
  }
  return strata;
}
