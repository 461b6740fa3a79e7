import { describe, expect, it } from "vitest";
import {
  binomialCdf,
  binomialTailUpper,
  clopperPearson,
  hodgesLehmannShift,
  inverseRegularizedIncompleteBeta,
  logGamma,
  mannWhitneyU,
  mcnemarExact,
  normalCdf,
  normalQuantile,
  quantile,
  quantileConfidenceInterval,
  regularizedIncompleteBeta,
  wilsonInterval,
} from "../../src/verify/stats.js";

// Unless a comment says otherwise, expected values were computed in Python 3 with the standard
// library only (math, fractions, statistics, itertools, decimal), by a different method than the code
// under test: exact rational arithmetic, brute-force enumeration, or libm/AS241 routines.

/** Relative error of `actual` against a non-zero `expected`. */
function relativeError(actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected);
}

/** Marsaglia's xorshift32: a deterministic stream of uniforms in [0, 1) for reproducible samples. */
function uniforms(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

describe("normalCdf", () => {
  it("matches erfc-based values across the range", () => {
    // Python: 0.5 * math.erfc(-z / math.sqrt(2)).
    const cases: [number, number][] = [
      [-5, 2.866515718791946e-7],
      [-3, 0.0013498980316300957],
      [-1.96, 0.024997895148220435],
      [-1, 0.15865525393145707],
      [-0.1, 0.460172162722971],
      [0.3, 0.6179114221889526],
      [1.5, 0.9331927987311419],
      [2.5, 0.9937903346742238],
    ];
    for (const [z, expected] of cases) expect(relativeError(normalCdf(z), expected)).toBeLessThan(1e-13);
  });

  it("keeps relative precision deep in the lower tail", () => {
    // Φ(−10), Φ(−20), Φ(−37): 60-digit decimal.Decimal evaluation of the Mills-ratio continued
    // fraction (3000 terms), rounded to double. math.erfc cannot serve as the reference here: rounding
    // z/√2 costs it ~1e-13 relative at z = −37.
    expect(relativeError(normalCdf(-10), 7.619853024160525e-24)).toBeLessThan(1e-14);
    expect(relativeError(normalCdf(-20), 2.7536241186062337e-89)).toBeLessThan(1e-14);
    expect(relativeError(normalCdf(-37), 5.725571222524577e-300)).toBeLessThan(1e-14);
  });

  it("is symmetric, exact at 0 and saturates at ±∞", () => {
    expect(normalCdf(0)).toBe(0.5);
    for (const z of [0.2, 1.2, 1.6, 3.3]) expect(normalCdf(z) + normalCdf(-z)).toBeCloseTo(1, 15);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(() => normalCdf(Number.NaN)).toThrow(RangeError);
  });
});

describe("normalQuantile", () => {
  it("matches statistics.NormalDist().inv_cdf (Wichura AS241)", () => {
    const cases: [number, number][] = [
      [1e-300, -37.0470962993612],
      [1e-10, -6.361340902404056],
      [0.001, -3.090232306167813],
      [0.025, -1.9599639845400538],
      [0.3, -0.5244005127080407],
      [0.4999999, -2.506628274703107e-7],
      [0.975, 1.9599639845400536],
      [0.999999, 4.753424308817089],
    ];
    for (const [p, expected] of cases) expect(relativeError(normalQuantile(p), expected)).toBeLessThan(1e-14);
  });

  it("inverts normalCdf", () => {
    for (const p of [1e-200, 1e-7, 0.01, 0.2, 0.6, 0.93, 1 - 1e-9]) {
      expect(relativeError(normalCdf(normalQuantile(p)), p)).toBeLessThan(1e-12);
    }
  });

  it("handles the ends and rejects non-probabilities", () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(() => normalQuantile(-0.1)).toThrow(RangeError);
    expect(() => normalQuantile(Number.NaN)).toThrow(RangeError);
  });
});

describe("logGamma", () => {
  it("matches closed forms and math.lgamma", () => {
    expect(logGamma(1)).toBe(0);
    expect(logGamma(2)).toBe(0);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 14); // ln 9!
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14); // Γ(½) = √π
    expect(logGamma(1.5)).toBeCloseTo(-0.1207822376352453, 14); // Γ(3/2) = √π/2
    expect(relativeError(logGamma(1e-10), 23.025850929882736)).toBeLessThan(1e-15); // math.lgamma
    expect(relativeError(logGamma(100), 359.1342053695754)).toBeLessThan(1e-15); // math.lgamma
    expect(relativeError(logGamma(1e5), 1051287.7089736566)).toBeLessThan(1e-15); // math.lgamma
  });

  it("rejects non-positive arguments", () => {
    expect(() => logGamma(0)).toThrow(RangeError);
    expect(() => logGamma(-1.5)).toThrow(RangeError);
  });
});

describe("regularizedIncompleteBeta", () => {
  it("matches exact binomial sums for integer parameters", () => {
    // I_x(a, b) = P(Bin(a+b−1, x) ≥ a), summed exactly with fractions.Fraction.
    expect(regularizedIncompleteBeta(0.3, 2, 5)).toBeCloseTo(0.579825, 14);
    expect(regularizedIncompleteBeta(0.7, 2, 5)).toBeCloseTo(0.989065, 14);
    // P(Bin(100000, ½) ≥ 50000) = ½ + C(100000, 50000)/2^100001, exact rational.
    expect(relativeError(regularizedIncompleteBeta(0.5, 50000, 50001), 0.5012615631070984)).toBeLessThan(
      1e-12,
    );
  });

  it("matches closed forms for non-integer parameters", () => {
    // I_x(½, ½) = (2/π)·asin(√x); I_x(a, 1) = x^a.
    expect(regularizedIncompleteBeta(0.01, 0.5, 0.5)).toBeCloseTo((2 / Math.PI) * Math.asin(0.1), 14);
    expect(regularizedIncompleteBeta(0.5, 0.5, 0.5)).toBeCloseTo(0.5, 14);
    expect(relativeError(regularizedIncompleteBeta(0.2, 3.5, 1), 0.2 ** 3.5)).toBeLessThan(1e-13);
  });

  it("satisfies I_x(a,b) + I_{1−x}(b,a) = 1 and the end points", () => {
    for (const [x, a, b] of [
      [0.2, 3, 9],
      [0.85, 12.5, 2],
      [0.001, 0.7, 40],
    ] as const) {
      expect(regularizedIncompleteBeta(x, a, b) + regularizedIncompleteBeta(1 - x, b, a)).toBeCloseTo(1, 13);
    }
    expect(regularizedIncompleteBeta(0, 2, 3)).toBe(0);
    expect(regularizedIncompleteBeta(1, 2, 3)).toBe(1);
    expect(() => regularizedIncompleteBeta(0.5, 0, 1)).toThrow(RangeError);
    expect(() => regularizedIncompleteBeta(1.5, 1, 1)).toThrow(RangeError);
  });
});

describe("inverseRegularizedIncompleteBeta", () => {
  it("inverts closed forms and the incomplete beta itself", () => {
    // I_x(a, 1) = x^a, so the inverse is p^(1/a).
    expect(relativeError(inverseRegularizedIncompleteBeta(0.025, 100, 1), 0.025 ** (1 / 100))).toBeLessThan(
      1e-13,
    );
    expect(inverseRegularizedIncompleteBeta(0.579825, 2, 5)).toBeCloseTo(0.3, 12);
    for (const [p, a, b] of [
      [1e-8, 3, 200],
      [0.5, 0.5, 0.5],
      [0.975, 41, 960],
      [0.999, 7.5, 0.8],
    ] as const) {
      const x = inverseRegularizedIncompleteBeta(p, a, b);
      expect(relativeError(regularizedIncompleteBeta(x, a, b), p)).toBeLessThan(1e-9);
    }
    expect(inverseRegularizedIncompleteBeta(0, 2, 2)).toBe(0);
    expect(inverseRegularizedIncompleteBeta(1, 2, 2)).toBe(1);
  });
});

describe("binomialCdf / binomialTailUpper", () => {
  // [k, n, p, P(X ≤ k), P(X ≥ k)]: exact sums over integer binomial coefficients with
  // fractions.Fraction, converted to float at the end.
  const exact: [number, number, number, number, number][] = [
    [3, 10, 0.3, 0.6496107184000001, 0.6172172135999999],
    [0, 10, 0.3, 0.028247524900000005, 1],
    [10, 10, 0.3, 1, 5.9048999999999975e-6],
    [49500, 100000, 0.5, 0.0007911799394257978, 0.9992258201845774],
    [50300, 100000, 0.5, 0.9713183964058874, 0.02909867655509687],
    [80, 100000, 0.001, 0.02259721232576406, 0.982592323014414],
    [120, 100000, 0.001, 0.9773862691276692, 0.02816700585085322],
    [5, 20, 0.999, 1.5431461670861394e-41, 1],
    [19, 20, 0.999, 0.019811135170465333, 0.9998122655268227],
    [0, 100, 1e-9, 0.9999999000000049, 1],
    [99, 100, 0.5, 1, 7.967495142732219e-29],
  ];

  it("matches exact rational arithmetic, including n = 100 000 and far tails", () => {
    for (const [k, n, p, cdf, upper] of exact) {
      expect(relativeError(binomialCdf(k, n, p), cdf)).toBeLessThan(1e-12);
      expect(relativeError(binomialTailUpper(k, n, p), upper)).toBeLessThan(1e-12);
    }
  });

  it("matches closed forms", () => {
    expect(binomialTailUpper(100, 100, 0.5)).toBe(2 ** -100);
    expect(relativeError(binomialCdf(0, 1000, 0.01), 0.99 ** 1000)).toBeLessThan(1e-13);
  });

  it("is defined for k outside [0, n] and for degenerate p and n", () => {
    expect(binomialCdf(-1, 10, 0.4)).toBe(0);
    expect(binomialCdf(10, 10, 0.4)).toBe(1);
    expect(binomialCdf(25, 10, 0.4)).toBe(1);
    expect(binomialTailUpper(0, 10, 0.4)).toBe(1);
    expect(binomialTailUpper(11, 10, 0.4)).toBe(0);
    expect(binomialCdf(0, 0, 0.4)).toBe(1);
    expect(binomialCdf(3, 10, 0)).toBe(1);
    expect(binomialCdf(9, 10, 1)).toBe(0);
    expect(binomialTailUpper(10, 10, 1)).toBe(1);
  });

  it("rejects non-integer counts and invalid probabilities", () => {
    expect(() => binomialCdf(1.5, 10, 0.5)).toThrow(RangeError);
    expect(() => binomialCdf(1, -1, 0.5)).toThrow(RangeError);
    expect(() => binomialCdf(1, 10, 1.5)).toThrow(RangeError);
    expect(() => binomialTailUpper(1, 10, Number.NaN)).toThrow(RangeError);
  });
});

describe("wilsonInterval", () => {
  it("matches the closed forms at 0/n and n/n", () => {
    // At 0 successes the Wilson upper bound is z²/(n + z²); at n it is symmetric.
    const z2 = 1.959963984540054 ** 2;
    expect(wilsonInterval(0, 100)).toEqual({ lower: 0, upper: expect.closeTo(z2 / (100 + z2), 14) });
    expect(wilsonInterval(100, 100)).toEqual({ lower: expect.closeTo(100 / (100 + z2), 14), upper: 1 });
  });

  it("matches the textbook formula and Newcombe (1998) Table I", () => {
    const ten = wilsonInterval(10, 100); // Python: score-interval formula with NormalDist().inv_cdf(0.975)
    expect(ten.lower).toBeCloseTo(0.0552291370606751, 12);
    expect(ten.upper).toBeCloseTo(0.17436566150491345, 12);
    // Newcombe, Statistics in Medicine 17:857–872 (1998), method 3, to 4 decimals.
    const published: [number, number, number, number][] = [
      [81, 263, 0.2553, 0.3662],
      [15, 148, 0.0624, 0.1605],
      [0, 20, 0, 0.1611],
      [1, 29, 0.0061, 0.1718],
      [29, 29, 0.883, 1],
    ];
    for (const [k, n, lower, upper] of published) {
      const interval = wilsonInterval(k, n);
      expect(interval.lower).toBeCloseTo(lower, 4);
      expect(interval.upper).toBeCloseTo(upper, 4);
    }
  });

  it("widens with the confidence level", () => {
    const at95 = wilsonInterval(10, 100, 0.95);
    const at99 = wilsonInterval(10, 100, 0.99);
    expect(at99.lower).toBeLessThan(at95.lower);
    expect(at99.upper).toBeGreaterThan(at95.upper);
  });

  it("returns [0, 1] for n = 0 and rejects impossible counts", () => {
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1 });
    expect(() => wilsonInterval(5, 4)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 4)).toThrow(RangeError);
    expect(() => wilsonInterval(1, 4, 1)).toThrow(RangeError);
  });
});

describe("clopperPearson", () => {
  it("matches the closed forms at 0/n and n/n", () => {
    // At k = 0 the upper bound solves (1 − p)^n = α/2; at k = n the lower bound solves p^n = α/2.
    const none = clopperPearson(0, 100);
    expect(none.lower).toBe(0);
    expect(relativeError(none.upper, 1 - 0.025 ** (1 / 100))).toBeLessThan(1e-12);
    expect(none.upper).toBeCloseTo(0.0362, 4);
    const all = clopperPearson(100, 100);
    expect(all.upper).toBe(1);
    expect(relativeError(all.lower, 0.025 ** (1 / 100))).toBeLessThan(1e-12);
  });

  it("matches bisection on exact binomial tails and Newcombe (1998) Table I", () => {
    // Python: bisection on p of exact Fraction tail sums P(X ≥ k) = 1/40 and P(X ≤ k) = 1/40.
    const ten = clopperPearson(10, 100);
    expect(relativeError(ten.lower, 0.04900468922148596)).toBeLessThan(1e-9);
    expect(relativeError(ten.upper, 0.1762225977400227)).toBeLessThan(1e-9);
    // Newcombe (1998) method 5, to 4 decimals.
    const published: [number, number, number, number][] = [
      [81, 263, 0.2527, 0.3676],
      [15, 148, 0.0578, 0.1617],
      [0, 20, 0, 0.1684],
      [1, 29, 0.0009, 0.1776],
      [29, 29, 0.8806, 1],
    ];
    for (const [k, n, lower, upper] of published) {
      const interval = clopperPearson(k, n);
      expect(interval.lower).toBeCloseTo(lower, 4);
      expect(interval.upper).toBeCloseTo(upper, 4);
    }
  });

  it("stays accurate at n = 100 000", () => {
    // k = 1: the lower bound solves 1 − (1 − p)^n = α/2, i.e. p = −expm1(ln(0.975)/n).
    expect(relativeError(clopperPearson(1, 100000).lower, 2.531780477933316e-7)).toBeLessThan(1e-9);
  });

  it("agrees with the binomial tails it is defined by", () => {
    // Independent code paths: the bounds come from the incomplete beta, the check from binomial sums.
    const { lower, upper } = clopperPearson(37, 1000);
    expect(binomialTailUpper(37, 1000, lower)).toBeCloseTo(0.025, 12);
    expect(binomialCdf(37, 1000, upper)).toBeCloseTo(0.025, 12);
  });

  it("is wider than Wilson, returns [0, 1] for n = 0 and rejects k > n", () => {
    const exact = clopperPearson(10, 100);
    const wilson = wilsonInterval(10, 100);
    expect(exact.upper - exact.lower).toBeGreaterThan(wilson.upper - wilson.lower);
    expect(clopperPearson(0, 0)).toEqual({ lower: 0, upper: 1 });
    expect(() => clopperPearson(3, 2)).toThrow(RangeError);
  });
});

describe("mcnemarExact", () => {
  it("gives p = 1 with no discordant pairs", () => {
    expect(mcnemarExact(0, 0)).toEqual({ b: 0, c: 0, pTwoSided: 1, pPatchedWorse: 1, pPatchedBetter: 1 });
  });

  it("gives 2·½¹⁰ for a 10–0 split", () => {
    const r = mcnemarExact(10, 0);
    expect(r.pTwoSided).toBeCloseTo(0.001953125, 15); // 2/1024
    expect(r.pPatchedWorse).toBeCloseTo(1 / 1024, 15);
    expect(r.pPatchedBetter).toBe(1);
  });

  it("matches hand-computed binomial sums for a 3–12 split", () => {
    // P(Bin(15, ½) ≤ 3) = (1 + 15 + 105 + 455)/2¹⁵ = 576/32768.
    const r = mcnemarExact(3, 12);
    expect(r.pTwoSided).toBeCloseTo(1152 / 32768, 15);
    expect(r.pPatchedBetter).toBeCloseTo(576 / 32768, 15);
    expect(r.pPatchedWorse).toBeCloseTo(1 - 121 / 32768, 15);
  });

  it("caps the two-sided p-value at 1 and rejects invalid counts", () => {
    expect(mcnemarExact(5, 5).pTwoSided).toBe(1);
    expect(() => mcnemarExact(-1, 2)).toThrow(RangeError);
    expect(() => mcnemarExact(1.5, 2)).toThrow(RangeError);
  });
});

describe("mannWhitneyU", () => {
  // Conover's example, also used by the scipy.stats.mannwhitneyu documentation.
  const females = [20, 11, 17, 12];
  const males = [19, 22, 16, 29, 24];

  it("computes the exact permutation p-value for small untied samples", () => {
    // Python: enumeration of all C(9, 5) = 126 assignments, counting pairs directly: P(U ≥ 17) = 1/18.
    const r = mannWhitneyU(females, males);
    expect(r.method).toBe("exact");
    expect(r.u).toBe(17);
    expect(r.probabilityOfSuperiority).toBeCloseTo(0.85, 15);
    expect(r.pGreater).toBeCloseTo(1 / 18, 14);
    expect(r.pTwoSided).toBeCloseTo(1 / 9, 14);
    expect(r.pLess).toBeGreaterThan(0.9);
  });

  it("gives the continuity-corrected normal approximation on request", () => {
    // Python: 2·(1 − NormalDist().cdf((17 − 10 − 0.5)/√(4·5·10/12))).
    const r = mannWhitneyU(females, males, { method: "normal" });
    expect(r.method).toBe("normal");
    expect(r.z).toBeCloseTo(1.5921683328090657, 13);
    expect(r.pTwoSided).toBeCloseTo(0.1113468865331404, 13);
  });

  it("matches exact enumeration for completely separated samples", () => {
    const low = [1, 2, 3, 4, 5, 6, 7, 8];
    const high = [9, 10, 11, 12, 13, 14, 15, 16];
    const r = mannWhitneyU(low, high);
    expect(r.u).toBe(64);
    expect(r.probabilityOfSuperiority).toBe(1);
    expect(relativeError(r.pGreater, 1 / 12870)).toBeLessThan(1e-12); // 1/C(16, 8)
    expect(relativeError(r.pTwoSided, 2 / 12870)).toBeLessThan(1e-12);
  });

  it("uses the tie-corrected variance when many values tie", () => {
    // Python: U by direct pair counting (ties count ½); the permutation variance of U over all
    // C(12, 6) = 924 assignments is 35.7272…, equal to the tie-corrected formula; p from NormalDist.
    const r = mannWhitneyU([1, 1, 1, 2, 2, 3], [2, 2, 3, 3, 3, 4]);
    expect(r.method).toBe("normal");
    expect(r.u).toBe(30.5);
    expect(r.z).toBeCloseTo(2.0076190752094973, 12);
    expect(r.pGreater).toBeCloseTo(0.022341892981261935, 13);
    expect(r.pLess).toBeCloseTo(0.9851819689694604, 13);
    expect(r.pTwoSided).toBeCloseTo(0.04468378596252387, 13);
  });

  it("reports no evidence (p = 1, no NaN) when every value ties", () => {
    const r = mannWhitneyU([5, 5, 5], [5, 5]);
    expect(r).toEqual({
      u: 3,
      z: 0,
      pTwoSided: 1,
      pGreater: 1,
      pLess: 1,
      probabilityOfSuperiority: 0.5,
      method: "normal",
    });
  });

  it("mirrors when the samples are swapped", () => {
    const next = uniforms(7);
    const a = Array.from({ length: 30 }, () => Math.round(next() * 50));
    const b = Array.from({ length: 25 }, () => Math.round(next() * 50) + 8);
    const ab = mannWhitneyU(a, b);
    const ba = mannWhitneyU(b, a);
    expect(ab.u + ba.u).toBe(30 * 25);
    expect(ab.pGreater).toBeCloseTo(ba.pLess, 14);
    expect(ab.pTwoSided).toBeCloseTo(ba.pTwoSided, 14);
    expect(ab.pGreater).toBeLessThan(0.05); // b was shifted up by 8 on a 0–50 scale
  });

  it("has exact and normal p-values that agree for moderate samples", () => {
    const next = uniforms(99);
    const a = Array.from({ length: 40 }, () => next());
    const b = Array.from({ length: 45 }, () => next() + 0.1);
    const exact = mannWhitneyU(a, b);
    const normal = mannWhitneyU(a, b, { method: "normal" });
    expect(exact.method).toBe("exact");
    expect(Math.abs(exact.pTwoSided - normal.pTwoSided)).toBeLessThan(0.005);
  });

  it("rejects empty or non-finite samples", () => {
    expect(() => mannWhitneyU([], [1, 2])).toThrow(RangeError);
    expect(() => mannWhitneyU([1, 2], [])).toThrow(RangeError);
    expect(() => mannWhitneyU([1, Number.NaN], [1, 2])).toThrow(RangeError);
  });
});

describe("hodgesLehmannShift", () => {
  it("matches brute force and the exact Moses interval on a small example", () => {
    // Python: median of the 42 sorted differences y − x (statistics.median); rank k = 7 from the null
    // distribution of U enumerated over all C(13, 6) assignments (largest k with P(U ≤ k−1) ≤ 0.025).
    const r = hodgesLehmannShift([1.1, 2.3, 3.7, 4.2, 5.9, 6.4, 7.8], [3.5, 4.1, 6.0, 6.6, 8.2, 9.9]);
    expect(r.shift).toBeCloseTo(1.95, 12);
    expect(r.lower).toBeCloseTo(-1.8, 12);
    expect(r.upper).toBeCloseTo(5.5, 12);
    expect(r.coverage).toBeCloseTo(0.965034965034965, 12);
  });

  it("uses the extreme differences when only they reach the confidence (n = m = 4)", () => {
    // P(U = 0) = 1/70 ≤ 0.025 < P(U ≤ 1) = 2/70, so k = 1 and coverage is 1 − 2/70.
    const r = hodgesLehmannShift([1, 2, 3, 4], [10, 20, 30, 40]);
    expect(r.lower).toBe(6); // 10 − 4
    expect(r.upper).toBe(39); // 40 − 1
    expect(r.coverage).toBeCloseTo(1 - 2 / 70, 14);
  });

  it("returns no interval when the samples are too small to have one", () => {
    // n = m = 2: the smallest two-sided p-value is 2/6, so no 95% interval exists.
    expect(hodgesLehmannShift([1, 2], [3, 4])).toEqual({
      shift: 2,
      lower: undefined,
      upper: undefined,
      coverage: 1,
    });
  });

  it("recovers a known shift and covers it", () => {
    // Baseline and patched drawn independently from the same skewed latency-like distribution,
    // patched shifted by +25.
    const next = uniforms(2024);
    const draw = () => 100 - 40 * Math.log(1 - next());
    const x = Array.from({ length: 400 }, draw);
    const y = Array.from({ length: 300 }, () => draw() + 25);
    const r = hodgesLehmannShift(x, y);
    expect(r.lower).toBeDefined();
    expect(r.lower as number).toBeLessThan(25);
    expect(r.upper as number).toBeGreaterThan(25);
    expect(Math.abs(r.shift - 25)).toBeLessThan(10);
    expect((r.upper as number) - (r.lower as number)).toBeLessThan(25);
    // The same sample shifted: the differences are symmetric about the shift.
    expect(
      hodgesLehmannShift(
        x,
        x.map((v) => v + 25),
      ).shift,
    ).toBeCloseTo(25, 9);
  });

  it("selects the same order statistics as sorting all differences (ties, normal-approximation rank)", () => {
    const next = uniforms(5);
    const x = Array.from({ length: 300 }, () => Math.round(next() * 1000) / 10);
    const y = Array.from({ length: 257 }, () => Math.round(next() * 1000) / 10 + 7.3);
    const diffs = Float64Array.from(y.flatMap((b) => x.map((a) => b - a))).sort();
    const n = diffs.length;
    const median =
      (diffs[n / 2 - 1] as number) + ((diffs[n / 2] as number) - (diffs[n / 2 - 1] as number)) / 2;
    // Python: k = floor(n·m/2 − z₀.₉₇₅·√(n·m(n+m+1)/12) + ½) = 34839 for n = 300, m = 257.
    const k = 34839;
    const r = hodgesLehmannShift(x, y);
    expect(r.shift).toBe(median);
    expect(r.lower).toBe(diffs[k - 1]);
    expect(r.upper).toBe(diffs[n - k]);
    expect(r.coverage).toBeGreaterThanOrEqual(0.95);
  });

  it("handles thousands of observations per side without materialising the differences", () => {
    const next = uniforms(11);
    const x = Array.from({ length: 2000 }, () => next());
    const y = Array.from({ length: 1500 }, () => next() * 1.5);
    const diffs = Float64Array.from(y.flatMap((b) => x.map((a) => b - a))).sort();
    const n = diffs.length;
    const r = hodgesLehmannShift(x, y);
    expect(r.shift).toBe(
      (diffs[n / 2 - 1] as number) + ((diffs[n / 2] as number) - (diffs[n / 2 - 1] as number)) / 2,
    );
    // Python: k = floor(n·m/2 − z₀.₉₇₅·√(n·m(n+m+1)/12) + ½) = 1442015 for n = 2000, m = 1500.
    const k = 1442015;
    expect(r.lower).toBe(diffs[k - 1]);
    expect(r.upper).toBe(diffs[n - k]);
  });

  it("rejects empty samples and invalid confidence", () => {
    expect(() => hodgesLehmannShift([], [1])).toThrow(RangeError);
    expect(() => hodgesLehmannShift([1], [])).toThrow(RangeError);
    expect(() => hodgesLehmannShift([1, 2], [3, 4], 0)).toThrow(RangeError);
  });
});

describe("quantile", () => {
  it("is Hyndman–Fan type 7", () => {
    // Python: statistics.quantiles(range(1, 11), n=4 / n=10, method="inclusive").
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(quantile(ten, 0.25)).toBeCloseTo(3.25, 14);
    expect(quantile(ten, 0.5)).toBeCloseTo(5.5, 14);
    expect(quantile(ten, 0.75)).toBeCloseTo(7.75, 14);
    expect(quantile(ten, 0.9)).toBeCloseTo(9.1, 14);
    // Python: statistics.quantiles(data, n=100, method="inclusive")[98] and [36].
    const skewed = [2.5, 7, 7, 11.25, 40];
    expect(quantile(skewed, 0.99)).toBeCloseTo(38.85, 12);
    expect(quantile(skewed, 0.37)).toBe(7);
  });

  it("returns the extremes at q = 0 and 1 and the value of a single observation", () => {
    expect(quantile([3, 4, 9], 0)).toBe(3);
    expect(quantile([3, 4, 9], 1)).toBe(9);
    expect(quantile([42], 0.3)).toBe(42);
  });

  it("rejects empty or unsorted samples and q outside [0, 1]", () => {
    expect(() => quantile([], 0.5)).toThrow(RangeError);
    expect(() => quantile([2, 1], 0.5)).toThrow(RangeError);
    expect(() => quantile([1, 2], 1.2)).toThrow(RangeError);
  });
});

describe("quantileConfidenceInterval", () => {
  const hundred = Array.from({ length: 100 }, (_, i) => (i + 1) * 10);

  it("brackets the median of 100 observations by the 40th and 61st values", () => {
    // Python, exact with fractions.Fraction: P(Bin(100, ½) ≤ 39) = 0.0176 ≤ 0.025 < P(≤ 40) = 0.0284,
    // so ranks 40 and 61 (by symmetry); coverage 1 − 2·P(Bin(100, ½) ≤ 39).
    const ci = quantileConfidenceInterval(hundred, 0.5);
    expect(ci.lower).toEqual({ rank: 40, value: 400 });
    expect(ci.upper).toEqual({ rank: 61, value: 610 });
    expect(ci.coverage).toBeCloseTo(0.9647997997822951, 12);
  });

  it("has no upper bound for p99 with 100 observations", () => {
    // P(Bin(100, 0.99) ≥ 100) = 0.366 > 0.025, so even the maximum does not bound p99 from above;
    // P(Bin(100, 0.99) ≤ 96) = 0.0184 ≤ 0.025 < P(≤ 97) = 0.0794 gives lower rank 97.
    const ci = quantileConfidenceInterval(hundred, 0.99);
    expect(ci.upper).toBeUndefined();
    expect(ci.lower).toEqual({ rank: 97, value: 970 });
    expect(ci.coverage).toBeCloseTo(1 - 0.018374036444649657, 12);
  });

  it("reaches the maximum for p95 with 100 observations", () => {
    // P(Bin(100, .95) ≤ 89) = 0.0115, P(≤ 90) = 0.0282; P(≥ 100) = 0.0059, P(≥ 99) = 0.0371.
    const ci = quantileConfidenceInterval(hundred, 0.95);
    expect(ci.lower).toEqual({ rank: 90, value: 900 });
    expect(ci.upper).toEqual({ rank: 100, value: 1000 });
    expect(ci.coverage).toBeCloseTo(0.9826070607121813, 12);
  });

  it("needs six observations to bound a median at 95%", () => {
    // (½)⁵ = 0.031 > 0.025 but (½)⁶ = 0.016 ≤ 0.025.
    const five = quantileConfidenceInterval([1, 2, 3, 4, 5], 0.5);
    expect(five.lower).toBeUndefined();
    expect(five.upper).toBeUndefined();
    expect(five.coverage).toBe(1);
    const six = quantileConfidenceInterval([1, 2, 3, 4, 5, 6], 0.5);
    expect(six.lower).toEqual({ rank: 1, value: 1 });
    expect(six.upper).toEqual({ rank: 6, value: 6 });
    expect(six.coverage).toBeCloseTo(1 - 2 / 64, 15);
  });

  it("returns no bounds for an empty sample", () => {
    expect(quantileConfidenceInterval([], 0.5)).toEqual({ lower: undefined, upper: undefined, coverage: 1 });
  });

  it("narrows around the sample quantile for large n", () => {
    const sorted = Array.from({ length: 100000 }, (_, i) => i);
    const ci = quantileConfidenceInterval(sorted, 0.99);
    // Normal approximation to the ranks: 99000 ± 1.96·√(100000·0.99·0.01) ≈ 99000 ± 62.
    expect(ci.lower?.rank).toBeGreaterThan(98930);
    expect(ci.lower?.rank).toBeLessThan(98945);
    expect(ci.upper?.rank).toBeGreaterThan(99055);
    expect(ci.upper?.rank).toBeLessThan(99070);
    expect(ci.coverage).toBeGreaterThanOrEqual(0.95);
    expect(ci.coverage).toBeLessThan(0.96);
  });

  it("rejects unsorted samples and invalid arguments", () => {
    expect(() => quantileConfidenceInterval([3, 1, 2], 0.5)).toThrow(RangeError);
    expect(() => quantileConfidenceInterval([1, 2, 3], -0.1)).toThrow(RangeError);
    expect(() => quantileConfidenceInterval([1, 2, 3], 0.5, 1.5)).toThrow(RangeError);
  });
});
