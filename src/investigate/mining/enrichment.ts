/**
 * How surprising it is that a feature is this common among failures: the one-sided Fisher exact
 * test. Of `total` requests, `failingTotal` failed and `featureCount` have the feature; if the
 * feature had nothing to do with failing, the failing ones among those would follow a
 * hypergeometric distribution. The p-value is the chance of seeing at least `failing` of them.
 */
export class EnrichmentTest {
  /** lnFactorial[n] = ln(n!) for n up to total, summed once: exact enough, and no gamma function. */
  private readonly lnFactorial: Float64Array;

  constructor(readonly total: number) {
    this.lnFactorial = new Float64Array(total + 1);
    for (let n = 2; n <= total; n++) this.lnFactorial[n] = (this.lnFactorial[n - 1] as number) + Math.log(n);
  }

  /** P(X ≥ failing) for X ~ Hypergeometric(total, featureCount, failingTotal). */
  pValue(failing: number, featureCount: number, failingTotal: number): number {
    const N = this.total;
    const K = featureCount;
    const n = failingTotal;
    if (!(K >= 0 && K <= N && n >= 0 && n <= N)) {
      throw new RangeError(
        `invalid counts: ${featureCount} with the feature, ${failingTotal} failing, ${N} in all`,
      );
    }
    const lowest = Math.max(0, n + K - N);
    const highest = Math.min(K, n);
    if (failing > highest) return 0;
    if (failing <= lowest) return 1;
    // Sum pmf(x) for x ≥ failing as pmf(failing) × (1 + r₁ + r₁r₂ + ...), with rᵢ the ratio of
    // consecutive terms: no binomials per term, and no underflow when pmf(failing) is tiny.
    const lnFirst = this.lnChoose(K, failing) + this.lnChoose(N - K, n - failing) - this.lnChoose(N, n);
    let relative = 1;
    let sum = 1;
    for (let x = failing; x < highest; x++) {
      relative *= ((K - x) * (n - x)) / ((x + 1) * (N - K - n + x + 1));
      sum += relative;
      if (relative < sum * 1e-16) break;
    }
    return Math.min(1, Math.exp(lnFirst + Math.log(sum)));
  }

  private lnChoose(n: number, k: number): number {
    return (
      (this.lnFactorial[n] as number) - (this.lnFactorial[k] as number) - (this.lnFactorial[n - k] as number)
    );
  }
}
