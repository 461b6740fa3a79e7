import { describe, expect, it } from "vitest";
import { EnrichmentTest } from "../../../src/investigate/mining/enrichment.js";

/** C(n, k) exactly, as a BigInt: an independent check on the float computation. */
function choose(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  let result = 1n;
  for (let i = 1; i <= k; i++) result = (result * BigInt(n - k + i)) / BigInt(i);
  return result;
}

/** P(X ≥ failing) summed term by term from exact binomials. */
function exactUpperTail(failing: number, featureCount: number, failingTotal: number, total: number): number {
  let numerator = 0n;
  for (let x = failing; x <= Math.min(featureCount, failingTotal); x++) {
    numerator += choose(featureCount, x) * choose(total - featureCount, failingTotal - x);
  }
  const scale = 10n ** 30n;
  return Number((numerator * scale) / choose(total, failingTotal)) / 1e30;
}

describe("EnrichmentTest", () => {
  it("matches the closed form when every failure has the feature", () => {
    // 3 failures among 300 requests, all 3 in a region used by 100: C(100,3) / C(300,3).
    const expected = (100 * 99 * 98) / (300 * 299 * 298);
    expect(new EnrichmentTest(300).pValue(3, 100, 3)).toBeCloseTo(expected, 12);
  });

  it.each([
    [5, 40, 12, 200],
    [12, 15, 30, 1000],
    [1, 2, 1, 1081],
    [60, 300, 120, 1200],
    [20, 300, 120, 1200],
  ])(
    "agrees with exact arithmetic for %i of %i with %i failing among %i",
    (failing, featureCount, failingTotal, total) => {
      const p = new EnrichmentTest(total).pValue(failing, featureCount, failingTotal);
      const exact = exactUpperTail(failing, featureCount, failingTotal, total);
      expect(Math.abs(p - exact)).toBeLessThan(1e-9 + exact * 1e-9);
    },
  );

  it("is tiny for a perfect separator and 1 for a feature no failure needs", () => {
    const test = new EnrichmentTest(1200);
    expect(test.pValue(120, 120, 120)).toBeLessThan(1e-150);
    expect(test.pValue(0, 500, 120)).toBe(1);
  });

  it("is 0 for more failures than possible", () => {
    expect(new EnrichmentTest(100).pValue(11, 10, 50)).toBe(0);
  });

  it("rejects counts that cannot happen", () => {
    expect(() => new EnrichmentTest(10).pValue(1, 11, 2)).toThrow(RangeError);
  });
});
