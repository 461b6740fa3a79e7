/**
 * How many failing and succeeding requests have some feature, and which ones: `members` is a sum
 * mod 2³² of per-request hashes, so features that hold for exactly the same requests have equal
 * tallies and can be reported once.
 */
export interface Tally {
  failing: number;
  succeeding: number;
  members: number;
}

export function emptyTally(): Tally {
  return { failing: 0, succeeding: 0, members: 0 };
}

export function tallySupport(tally: Tally): number {
  return tally.failing + tally.succeeding;
}

export function addTally(into: Tally, other: Tally): void {
  into.failing += other.failing;
  into.succeeding += other.succeeding;
  // A sum mod 2³² of per-request hashes: order-free, equal sets give equal sums.
  into.members = (into.members + other.members) >>> 0;
}

export function subtractTally(from: Tally, part: Tally): Tally {
  return {
    failing: from.failing - part.failing,
    succeeding: from.succeeding - part.succeeding,
    members: (from.members - part.members) >>> 0,
  };
}

/** A well-mixed 32-bit hash of a request index, for {@link Tally.members}. */
export function memberHash(index: number): number {
  let h = Math.imul(index + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
