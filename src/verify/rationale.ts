import { fmtEstimate } from "./format.js";
import type { Verdict } from "./verdict.js";

/** The verdict's one-paragraph explanation, written from its structured evidence. */
export function writeRationale(v: Omit<Verdict, "rationale">): string {
  const sentences: string[] = [];
  const { run, slo } = v;
  if (v.sides.baseline && v.sides.patched) {
    const extended = run.batches.length > 1 ? `, extended ${run.batches.join(" → ")} while undecided` : "";
    sentences.push(
      `Replayed the same ${run.requestsPerSide} requests (seed ${run.seed}${extended}) to an unpatched baseline and a patched copy of ${v.service}, interleaved at concurrency ${run.concurrency}, both running with the live service's identity against its real downstreams through recording proxies.`,
    );
  } else {
    sentences.push(`The candidates of ${v.service} were not compared.`);
  }
  if (slo) {
    const unit = slo.unit;
    const base = slo.baseline;
    const patched = slo.patched;
    sentences.push(
      `The baseline's ${slo.signal} of ${fmtEstimate(base.estimate, unit)} ${base.status === "reproduced" ? "reproduces" : "does not reproduce"} the violation of ${slo.condition}; the patched side's ${fmtEstimate(patched.estimate, unit)} ${
        patched.status === "cleared"
          ? "clears it with confidence"
          : patched.status === "violated"
            ? "still violates it"
            : "neither clears nor violates it with confidence"
      }.`,
    );
  }
  const tested = v.watch.map((w) => w.spec);
  const regressed = v.watch.filter((w) => w.status === "regressed");
  const unsettled = v.watch.filter((w) => w.status === "undetermined");
  if (v.sides.patched) {
    if (regressed.length)
      sentences.push(`Regressed: ${regressed.map((w) => `${w.spec} (${w.summary})`).join("; ")}.`);
    else if (unsettled.length) sentences.push(`Not settled: ${unsettled.map((w) => w.spec).join(", ")}.`);
    else sentences.push(`No watched signal regressed (${tested.join(", ")}).`);
  }
  if (v.newlyFailing.total) {
    const shared = v.newlyFailing.sharedValues[0];
    sentences.push(
      `${v.newlyFailing.total} request(s) succeed on the baseline but fail patched${shared ? ` (${shared.changed} with ${shared.variable}=${shared.value})` : ""}.`,
    );
  }
  if (v.errorSignatures.new.length)
    sentences.push(
      `The patched log shows ${v.errorSignatures.new.length} error template(s) the baseline's lacks.`,
    );
  const first = v.reasons[0]?.message ?? "";
  switch (v.outcome) {
    case "PASS":
      sentences.push("The patch removes the reproduced violation without a measurable regression: PASS.");
      break;
    case "REJECT":
      sentences.push(`REJECT because ${first}.`);
      break;
    case "INCONCLUSIVE":
      sentences.push(`INCONCLUSIVE because ${first}; this is no evidence for or against the patch.`);
      break;
  }
  return sentences.join(" ");
}
