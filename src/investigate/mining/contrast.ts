import { EnrichmentTest } from "./enrichment.js";
import { addTally, emptyTally, memberHash, subtractTally, type Tally, tallySupport } from "./tally.js";
import { bestThresholds } from "./thresholds.js";
import { type DerivedFeatureKind, derivedFeatures, isNumeric } from "./value-features.js";

/**
 * Failing-attribute contrast, in the spirit of Honeycomb's BubbleUp: which attribute values (or
 * traits of values) are common among failing requests and rare among the rest?
 *
 * Features, per attribute: its exact value, its absence, the derived traits of value-features.ts
 * (prefix, suffix, last character, length class), and for numeric attributes the best `≥`/`≤`
 * threshold in each direction.
 *
 * Score: failure coverage − success share (Youden's J): the gap between the share of failures
 * with the feature and the share of successes with it. 1 means every failure and no success has
 * it; 0 means it is as common either way. Unlike precision or F1 it doesn't depend on the failure
 * rate, which varies from 0.1% to 50% between incidents; and it reads directly off the two
 * percentages that {@link describeFinding} prints.
 *
 * A gap can still be luck when failures are few (three failures sharing a region used by a third
 * of all traffic happens one time in 27), so each finding must also pass a one-sided Fisher
 * exact test, Bonferroni-corrected for the number of features tried. With no real signal the
 * result is empty rather than a made-up cause.
 */

export interface ContrastRecord {
  attributes: Record<string, string>;
  failed: boolean;
}

export type FeatureKind = "equals" | "missing" | DerivedFeatureKind | "atLeast" | "atMost";

export interface AttributeFinding {
  attribute: string;
  feature: FeatureKind;
  /** The value, prefix, suffix, last character, length class or threshold; "" for `missing`. */
  value: string;
  /** The feature as a predicate: `item_id ends with "-3"`. */
  description: string;
  /** Failing requests with the feature, of all failing requests. */
  failing: number;
  failingTotal: number;
  succeeding: number;
  succeedingTotal: number;
  /** failing / failingTotal */
  failureCoverage: number;
  /** succeeding / succeedingTotal */
  successShare: number;
  /** failureCoverage − successShare, in (0, 1]. */
  score: number;
  /** Chance of a feature this concentrated in failures among all features tried, by luck alone. */
  pValue: number;
}

export interface ContrastOptions {
  /** Lowest score reported. Default 0.3. */
  minScore?: number;
  /** Highest (corrected) p-value reported. Default 0.01. */
  maxPValue?: number;
  /** Requests that must share a feature for it to count; 2 drops per-request ids. Default 2. */
  minSupport?: number;
  /** Most findings returned. Default 20. */
  limit?: number;
}

/** The features that best separate failing from succeeding records, best first. */
export function contrastAttributes(
  records: readonly ContrastRecord[],
  options: ContrastOptions = {},
): AttributeFinding[] {
  const minScore = options.minScore ?? 0.3;
  const maxPValue = options.maxPValue ?? 0.01;
  const minSupport = options.minSupport ?? 2;
  const limit = options.limit ?? 20;

  const { tallies, everyone } = tallyValues(records);
  const failingTotal = everyone.failing;
  const succeedingTotal = everyone.succeeding;
  // Nothing to contrast: every request failed, or none did.
  if (failingTotal === 0 || succeedingTotal === 0) return [];

  const candidates: Candidate[] = [];
  let tried = 0;
  for (const [attribute, values] of tallies) {
    const found = attributeCandidates(attribute, values, everyone, minSupport);
    candidates.push(...found.candidates);
    tried += found.tried;
  }

  const test = new EnrichmentTest(records.length);
  const findings: AttributeFinding[] = [];
  for (const candidate of candidates) {
    const failureCoverage = candidate.failing / failingTotal;
    const successShare = candidate.succeeding / succeedingTotal;
    const score = failureCoverage - successShare;
    if (score < minScore) continue;
    const support = candidate.failing + candidate.succeeding;
    const pValue = Math.min(1, test.pValue(candidate.failing, support, failingTotal) * tried);
    if (pValue > maxPValue) continue;
    findings.push({
      attribute: candidate.attribute,
      feature: candidate.feature,
      value: candidate.value,
      description: describeFeature(candidate.attribute, candidate.feature, candidate.value),
      failing: candidate.failing,
      failingTotal,
      succeeding: candidate.succeeding,
      succeedingTotal,
      failureCoverage,
      successShare,
      score,
      pValue,
    });
  }
  return findings.sort(byStrength).slice(0, limit);
}

/** `100% of failures (120/120) have item_id ending in "-3"; 0% of successes (0/1080)` */
export function describeFinding(finding: AttributeFinding): string {
  const { failing, failingTotal, succeeding, succeedingTotal } = finding;
  const trait = traitPhrase(finding.attribute, finding.feature, finding.value);
  return (
    `${percent(finding.failureCoverage)} of failures (${failing}/${failingTotal}) have ${trait}; ` +
    `${percent(finding.successShare)} of successes (${succeeding}/${succeedingTotal})`
  );
}

/** Whole percents, except that only exactly none or all reads as 0% or 100%. */
function percent(share: number): string {
  if (share === 0 || share === 1) return `${share * 100}%`;
  const rounded = Math.round(share * 100);
  if (rounded === 0) return "<1%";
  if (rounded === 100) return ">99%";
  return `${rounded}%`;
}

function describeFeature(attribute: string, feature: FeatureKind, value: string): string {
  const quoted = JSON.stringify(value);
  switch (feature) {
    case "equals":
      return `${attribute}=${quoted}`;
    case "missing":
      return `${attribute} is missing`;
    case "prefix":
      return `${attribute} starts with ${quoted}`;
    case "suffix":
    case "lastChar":
      return `${attribute} ends with ${quoted}`;
    case "length":
      return `${attribute} has length ${value}`;
    case "atLeast":
      return `${attribute} ≥ ${value}`;
    case "atMost":
      return `${attribute} ≤ ${value}`;
  }
}

/** What "failures have ..." is followed by. */
function traitPhrase(attribute: string, feature: FeatureKind, value: string): string {
  const quoted = JSON.stringify(value);
  switch (feature) {
    case "equals":
      return `${attribute}=${quoted}`;
    case "missing":
      return `no ${attribute}`;
    case "prefix":
      return `${attribute} starting with ${quoted}`;
    case "suffix":
    case "lastChar":
      return `${attribute} ending in ${quoted}`;
    case "length":
      return `${attribute} of length ${value}`;
    case "atLeast":
      return `${attribute} ≥ ${value}`;
    case "atMost":
      return `${attribute} ≤ ${value}`;
  }
}

interface Candidate extends Tally {
  attribute: string;
  feature: FeatureKind;
  value: string;
}

/** One pass over the records: per attribute, per distinct value, who has it. */
function tallyValues(records: readonly ContrastRecord[]): {
  tallies: Map<string, Map<string, Tally>>;
  everyone: Tally;
} {
  const tallies = new Map<string, Map<string, Tally>>();
  const everyone = emptyTally();
  records.forEach((record, index) => {
    const self: Tally = {
      failing: record.failed ? 1 : 0,
      succeeding: record.failed ? 0 : 1,
      members: memberHash(index),
    };
    addTally(everyone, self);
    for (const [attribute, raw] of Object.entries(record.attributes)) {
      // Records built from parsed JSON can hold nulls and numbers whatever the type says.
      if (raw === undefined || raw === null) continue;
      const value = String(raw);
      let values = tallies.get(attribute);
      if (values === undefined) {
        values = new Map();
        tallies.set(attribute, values);
      }
      let tally = values.get(value);
      if (tally === undefined) {
        tally = emptyTally();
        values.set(value, tally);
      }
      addTally(tally, self);
    }
  });
  return { tallies, everyone };
}

/**
 * An attribute's features with at least `minSupport` requests, and how many were tried (for the
 * multiple-testing correction). Features of one attribute that hold for exactly the same requests
 * (`ends with "-3"` and `ends with "3"` when no value ends in `13`) count once, kept in the order
 * equals, missing, suffix, prefix, last character, length, thresholds.
 */
function attributeCandidates(
  attribute: string,
  values: Map<string, Tally>,
  everyone: Tally,
  minSupport: number,
): { candidates: Candidate[]; tried: number } {
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  let tried = 0;
  const consider = (feature: FeatureKind, value: string, tally: Tally): void => {
    if (tallySupport(tally) < minSupport) return;
    const key = `${tally.failing}/${tally.succeeding}/${tally.members}`;
    if (seen.has(key)) return;
    seen.add(key);
    tried++;
    candidates.push({ attribute, feature, value, ...tally });
  };

  const present = emptyTally();
  const numeric = [...values.keys()].every(isNumeric);
  const derived = new Map<string, { kind: DerivedFeatureKind; value: string; tally: Tally }>();
  for (const [value, tally] of values) {
    addTally(present, tally);
    for (const feature of derivedFeatures(value, numeric)) {
      const key = `${feature.kind}\u0000${feature.value}`;
      let entry = derived.get(key);
      if (entry === undefined) {
        entry = { ...feature, tally: emptyTally() };
        derived.set(key, entry);
      }
      addTally(entry.tally, tally);
    }
  }

  for (const [value, tally] of values) consider("equals", value, tally);
  consider("missing", "", subtractTally(everyone, present));
  for (const kind of ["suffix", "prefix", "lastChar", "length"] as const) {
    for (const entry of derived.values()) if (entry.kind === kind) consider(kind, entry.value, entry.tally);
  }
  if (numeric) {
    const thresholds = bestThresholds(values, everyone, minSupport);
    // Picking the best of many cuts is many chances at a lucky split: count them all.
    tried += Math.max(0, 2 * (thresholds.cuts - 1) - 2);
    for (const threshold of thresholds.best) consider(threshold.feature, threshold.value, threshold.tally);
  }
  return { candidates, tried };
}

const FEATURE_ORDER: readonly FeatureKind[] = [
  "equals",
  "missing",
  "suffix",
  "prefix",
  "lastChar",
  "length",
  "atLeast",
  "atMost",
];

function byStrength(a: AttributeFinding, b: AttributeFinding): number {
  return (
    b.score - a.score ||
    a.pValue - b.pValue ||
    b.failing - a.failing ||
    FEATURE_ORDER.indexOf(a.feature) - FEATURE_ORDER.indexOf(b.feature) ||
    a.attribute.localeCompare(b.attribute) ||
    a.value.localeCompare(b.value)
  );
}
