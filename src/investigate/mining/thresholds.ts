import { addTally, emptyTally, subtractTally, type Tally, tallySupport } from "./tally.js";

/**
 * Numeric attributes: is failing tied to large (or small) values? Checked as one `≥ t` and one
 * `≤ t` split each, rather than value by value, so `quantity ≥ 15` shows up as one finding.
 */

export interface Threshold {
  feature: "atLeast" | "atMost";
  value: string;
  tally: Tally;
}

/**
 * For a numeric attribute, the `≥ t` and the `≤ t` split with the highest score, `t` one of the
 * values seen. A split must leave values on both sides: one that holds for every request with the
 * attribute says nothing the `missing` feature doesn't.
 */
export function bestThresholds(
  values: Map<string, Tally>,
  everyone: Tally,
  minSupport: number,
): { best: Threshold[]; cuts: number } {
  const sorted = [...values].map(([text, tally]) => ({ text, number: Number(text), tally }));
  sorted.sort((a, b) => a.number - b.number);
  // Merge spellings of one number ("5", "5.0") so each cut falls between distinct numbers.
  const cuts: { text: string; tally: Tally }[] = [];
  let previous = Number.NaN;
  for (const entry of sorted) {
    const last = cuts[cuts.length - 1];
    if (last !== undefined && entry.number === previous) addTally(last.tally, entry.tally);
    else cuts.push({ text: entry.text, tally: { ...entry.tally } });
    previous = entry.number;
  }
  const all = emptyTally();
  for (const cut of cuts) addTally(all, cut.tally);

  const score = (tally: Tally): number =>
    tally.failing / everyone.failing - tally.succeeding / everyone.succeeding;
  let atMost: Threshold | undefined;
  let atLeast: Threshold | undefined;
  const below = emptyTally();
  // Walk up the cuts: `below` holds the values ≤ cut i, `above` those ≥ cut i + 1.
  for (let i = 0; i + 1 < cuts.length; i++) {
    addTally(below, (cuts[i] as { tally: Tally }).tally);
    const above = subtractTally(all, below);
    if (tallySupport(below) >= minSupport && (!atMost || score(below) > score(atMost.tally))) {
      atMost = { feature: "atMost", value: (cuts[i] as { text: string }).text, tally: { ...below } };
    }
    if (tallySupport(above) >= minSupport && (!atLeast || score(above) > score(atLeast.tally))) {
      atLeast = { feature: "atLeast", value: (cuts[i + 1] as { text: string }).text, tally: above };
    }
  }
  const best = [atLeast, atMost].filter((t): t is Threshold => t !== undefined);
  return { best, cuts: cuts.length };
}
