/**
 * Features derived from an attribute's value, so a contrast can find what failing values share
 * even when every value is distinct: `item-142-3`, `item-7-3` and `item-90-3` all end with `-3`.
 */

export type DerivedFeatureKind = "prefix" | "suffix" | "lastChar" | "length";

export interface DerivedFeature {
  kind: DerivedFeatureKind;
  value: string;
}

/**
 * For text: the part before the first separator (`-`, `_`, `.`) with that separator (`item-`),
 * the part after the last one with it (`-3`), the last character, and a length class. For numbers
 * only the last character: `.` is a decimal point there, and magnitude is better served by
 * thresholds (see contrast.ts).
 */
export function derivedFeatures(value: string, numeric: boolean): DerivedFeature[] {
  const features: DerivedFeature[] = [];
  if (value === "") return features;
  if (!numeric) {
    const first = firstSeparator(value);
    const last = lastSeparator(value);
    // A separator at either end leaves nothing on one side: no prefix/suffix to speak of.
    if (first > 0 && first < value.length - 1) {
      features.push({ kind: "prefix", value: value.slice(0, first + 1) });
    }
    if (last > 0 && last < value.length - 1) {
      features.push({ kind: "suffix", value: value.slice(last) });
    }
  }
  features.push({ kind: "lastChar", value: value.slice(-1) });
  if (!numeric) features.push({ kind: "length", value: lengthClass(value.length) });
  return features;
}

/** Power-of-two buckets, `1`, `2`, `3-4`, `5-8`, `9-16`, ...: coarse enough to be shared. */
export function lengthClass(length: number): string {
  if (length <= 2) return String(length);
  let upper = 4;
  while (upper < length) upper *= 2;
  return `${upper / 2 + 1}-${upper}`;
}

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** A number as written in logs: `42`, `-3.5`, `1e3`; not `0x1f`, `Infinity` or `""`. */
export function isNumeric(value: string): boolean {
  return NUMBER.test(value);
}

function isSeparator(c: number): boolean {
  return c === 45 || c === 95 || c === 46; // - _ .
}

function firstSeparator(value: string): number {
  for (let i = 0; i < value.length; i++) if (isSeparator(value.charCodeAt(i))) return i;
  return -1;
}

function lastSeparator(value: string): number {
  for (let i = value.length - 1; i >= 0; i--) if (isSeparator(value.charCodeAt(i))) return i;
  return -1;
}
