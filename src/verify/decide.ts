import { violates } from "./conditions.js";
import { type Evidence, isDownstreamError, sides } from "./evidence.js";
import { fmtBound, fmtEstimate, fmtP, fmtRate, fmtValue } from "./format.js";
import type {
  ChangedRequests,
  ErrorSignature,
  SloResult,
  VerdictOutcome,
  VerdictReason,
  WatchResult,
} from "./verdict.js";

export interface DecisionInput {
  slo: SloResult;
  watch: WatchResult[];
  evidence: Evidence;
  /** No more requests may be sent (the cap is reached): undecided questions become INCONCLUSIVE. */
  atCap: boolean;
  newlyFailing: ChangedRequests;
  newErrors: ErrorSignature[];
}

export interface Decision {
  outcome: VerdictOutcome;
  /** False when more requests could still settle the outcome (adaptive extension continues). */
  decisive: boolean;
  /** The decisive reason first, then the other findings that bear on it. */
  reasons: VerdictReason[];
}

/** A downstream failing at least this share of its calls (and a few calls at least) is unhealthy. */
const unhealthyShare = 0.1;
const unhealthyMinCalls = 3;

/**
 * The verdict rules, in order:
 * 1. the baseline died, or a downstream was down/erroring on both sides → INCONCLUSIVE (no fair run);
 * 2. a watched signal regressed (crash included), or the patched side violates the SLO with
 *    confidence → REJECT;
 * 3. the baseline is confidently within the SLO → INCONCLUSIVE (the bug was not reproduced);
 * 4. baseline reproduced, patched cleared with confidence, every watched signal ok → PASS;
 * 5. otherwise more requests may decide; at the cap a patched side still violating (point estimate)
 *    and not better than the baseline → REJECT, anything else → INCONCLUSIVE. Never PASS on missing evidence.
 */
export function decide(input: DecisionInput): Decision {
  const { slo, watch, evidence } = input;
  const regressed = watch.filter((w) => w.status === "regressed");
  const undetermined = watch.filter((w) => w.status === "undetermined");
  const context = supportingReasons(input);

  if (evidence.baseline.crashed) {
    return final("INCONCLUSIVE", {
      code: "crash",
      message: "the baseline candidate died during the run, so there is nothing sound to compare against",
    });
  }
  const outages = downstreamOutages(evidence);
  if (outages.length) {
    return final("INCONCLUSIVE", {
      code: "downstream-unavailable",
      message: `downstream ${outages.join("; ")} on both sides during the run: the environment, not the patch, decided the outcome`,
    });
  }
  if (regressed.length) {
    const crash = regressed.find((w) => w.signal === "crash");
    const first: VerdictReason = crash
      ? { code: "crash", message: crash.summary }
      : { code: "regression", message: regressionMessage(regressed[0] as WatchResult) };
    const more = regressed
      .filter((w) => w !== crash && w !== regressed[0])
      .map((w): VerdictReason => ({ code: "regression", message: regressionMessage(w) }));
    return final("REJECT", first, ...more, ...context);
  }
  if (slo.patched.status === "violated") {
    return final("REJECT", { code: "slo-violated", message: sloViolatedMessage(slo) }, ...context);
  }
  if (slo.baseline.status === "healthy") {
    return final("INCONCLUSIVE", { code: "not-reproduced", message: notReproducedMessage(slo) }, ...context);
  }
  if (slo.baseline.status === "reproduced" && slo.patched.status === "cleared" && !undetermined.length) {
    return final("PASS", { code: "slo-cleared", message: clearedMessage(slo) }, ...context);
  }
  if (!input.atCap) return { outcome: "INCONCLUSIVE", decisive: false, reasons: pending(input) };

  if (slo.baseline.status !== "reproduced") {
    return final("INCONCLUSIVE", { code: "not-reproduced", message: notReproducedMessage(slo) }, ...context);
  }
  const stillViolating = slo.patched.estimate !== undefined && violates(slo.patched.estimate.value, slo);
  if (stillViolating && !slo.improvement?.significant) {
    return final(
      "REJECT",
      {
        code: "slo-violated",
        message: `${sloViolatedMessage(slo)}; the patched side is not significantly better than the baseline (${slo.improvement ? `${slo.improvement.test}, ${fmtP(slo.improvement.pValue)}` : "no test"})`,
      },
      ...context,
    );
  }
  return { outcome: "INCONCLUSIVE", decisive: true, reasons: pending(input) };

  function final(outcome: VerdictOutcome, ...reasons: VerdictReason[]): Decision {
    const unique = reasons.filter((r, i) => reasons.findIndex((x) => x.message === r.message) === i);
    return { outcome, decisive: true, reasons: unique };
  }
}

/** Downstreams unhealthy on both sides, described, e.g. `pricing failed 58% / 61% of calls`. */
export function downstreamOutages(evidence: Evidence): string[] {
  const out: string[] = [];
  for (const d of evidence.downstreams) {
    const shares = sides.map((side) => {
      const calls = evidence[side].downstream[d.name] ?? [];
      const failed = calls.filter(isDownstreamError).length;
      return failed >= unhealthyMinCalls && failed / calls.length >= unhealthyShare
        ? failed / calls.length
        : undefined;
    });
    if (shares.every((s) => s !== undefined))
      out.push(`${d.name} failed ${shares.map((s) => fmtRate(s)).join(" / ")} of calls (baseline / patched)`);
  }
  return out;
}

function pending(input: DecisionInput): VerdictReason[] {
  const { slo, watch } = input;
  const reasons: VerdictReason[] = [];
  if (slo.baseline.status !== "reproduced")
    reasons.push({ code: "not-reproduced", message: notReproducedMessage(slo) });
  if (slo.patched.status === "undetermined")
    reasons.push({
      code: "insufficient-evidence",
      message: `the patched ${slo.signal} ${fmtEstimate(slo.patched.estimate, slo.unit)} is neither confidently within nor beyond ${slo.condition}`,
    });
  for (const w of watch.filter((x) => x.status === "undetermined"))
    reasons.push({ code: "insufficient-evidence", message: `${w.spec}: not settled: ${w.summary}` });
  if (!reasons.length) reasons.push({ code: "insufficient-evidence", message: "not enough evidence" });
  return reasons;
}

function supportingReasons(input: DecisionInput): VerdictReason[] {
  const reasons: VerdictReason[] = [];
  const { slo, newlyFailing, newErrors } = input;
  if (slo.patched.status === "cleared") reasons.push({ code: "slo-cleared", message: clearedMessage(slo) });
  if (slo.baseline.status !== "reproduced")
    reasons.push({ code: "not-reproduced", message: notReproducedMessage(slo) });
  if (newlyFailing.total > 0) {
    const top = newlyFailing.groups[0];
    const shared = newlyFailing.sharedValues[0];
    reasons.push({
      code: "regression",
      message: `${newlyFailing.total} request(s) succeed on the baseline and fail patched${top ? `, e.g. ${top.count} × ${top.description} (${top.baseline} → ${top.patched})` : ""}${shared ? `; ${shared.changed} of them have ${shared.variable}=${shared.value}` : ""}`,
    });
  }
  if (newErrors.length) {
    reasons.push({
      code: "regression",
      message: `the patched log has ${newErrors.length} new error template(s), e.g. ${newErrors[0]?.count} × \`${newErrors[0]?.template}\``,
    });
  }
  return reasons;
}

function regressionMessage(w: WatchResult): string {
  return `${w.spec} regressed: ${w.summary}`;
}

function clearedMessage(slo: SloResult): string {
  const e = slo.patched.estimate;
  const bound = slo.comparator.startsWith(">") ? e?.upper : e?.lower;
  return `the patched ${slo.signal} is ${fmtValue(e?.value, slo.unit)} with confidence bound ${fmtBound(bound, slo.unit)} (${e?.interval}), within ${slo.condition}; the baseline's is ${fmtEstimate(slo.baseline.estimate, slo.unit)}`;
}

function sloViolatedMessage(slo: SloResult): string {
  return `the SLO is still violated: patched ${slo.signal} ${fmtEstimate(slo.patched.estimate, slo.unit)} against ${slo.condition} (baseline ${fmtEstimate(slo.baseline.estimate, slo.unit)})`;
}

function notReproducedMessage(slo: SloResult): string {
  return `bug not reproduced: the baseline's ${slo.signal} ${fmtEstimate(slo.baseline.estimate, slo.unit)} does not violate ${slo.condition}`;
}
