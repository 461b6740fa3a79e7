/**
 * Statistics core of the verifier: exact binomial machinery, paired pass/fail tests, rank tests on
 * latencies, and distribution-free intervals for quantiles and shifts.
 *
 * Conventions used throughout:
 * - `x` is the baseline (unpatched) sample, `y` the patched one; shifts are `y − x`, so a positive
 *   shift means the patched service is slower / larger.
 * - Invalid input (NaN, negative counts, empty samples where a value is required, unsorted input to a
 *   function that asks for `sorted`) throws a `RangeError`: these are programming errors in the caller,
 *   never a statistical outcome. Situations where the data are merely too few to conclude are *not*
 *   errors; they come back as explicit markers (`undefined` bounds, p = 1) so the verifier answers
 *   INCONCLUSIVE instead of guessing.
 * - Intervals are two-sided and equal-tailed. For a one-sided bound at level α, pass
 *   `confidence = 1 − 2α` and use the side you need.
 */

/** A closed interval `[lower, upper]`. */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

// ---------------------------------------------------------------------------------------------------
// Validation

function assertConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`confidence must be strictly between 0 and 1, got ${confidence}`);
  }
}

function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

function assertProbability(name: string, value: number): void {
  if (!(value >= 0 && value <= 1)) {
    throw new RangeError(`${name} must be a probability in [0, 1], got ${value}`);
  }
}

function assertSample(name: string, sample: readonly number[]): void {
  if (sample.length === 0) throw new RangeError(`${name} must contain at least one observation`);
  for (const v of sample) {
    if (!Number.isFinite(v)) throw new RangeError(`${name} must contain only finite numbers, got ${v}`);
  }
}

function assertSorted(sorted: readonly number[]): void {
  let previous = Number.NEGATIVE_INFINITY;
  for (const v of sorted) {
    if (Number.isNaN(v)) throw new RangeError("sample must not contain NaN");
    if (v < previous) throw new RangeError("sample must be sorted in ascending order");
    previous = v;
  }
}

/** Index into an array whose bounds the caller has already established (keeps strict indexing quiet). */
function at(values: ArrayLike<number>, index: number): number {
  return values[index] as number;
}

// ---------------------------------------------------------------------------------------------------
// Special functions

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** B₂ₖ / (2k(2k−1)) for k = 1..7: the coefficients of 1/y^(2k−1) in the Stirling series for ln Γ(y). */
const STIRLING_COEFFICIENTS = [1 / 12, -1 / 360, 1 / 1260, -1 / 1680, 1 / 1188, -691 / 360360, 1 / 156];

/** Σ_{k<terms} STIRLING_COEFFICIENTS[k] / y^(2k+1), by Horner's rule in 1/y². */
function stirlingSeries(y: number, terms: number): number {
  const inv = 1 / y;
  const inv2 = inv * inv;
  let sum = 0;
  for (let k = terms - 1; k >= 0; k--) sum = sum * inv2 + at(STIRLING_COEFFICIENTS, k);
  return sum * inv;
}

/**
 * ln Γ(x) for x > 0: the recurrence Γ(x) = Γ(x+1)/x lifts x to ≥ 15, where the Stirling series
 * truncated after the B₁₄ term is accurate to well below 1e-16 relative. Absolute error ≲ 5e-15 for
 * non-integer x < 15 (from subtracting ln x(x+1)…), ~1 ulp above.
 */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new RangeError(`logGamma needs a finite x > 0, got ${x}`);
  // Integers up to 23: (x − 1)! ≤ 22! is exact in a double, so ln Γ(1) = ln Γ(2) = 0 exactly.
  if (Number.isInteger(x) && x <= 23) {
    let factorial = 1;
    for (let i = 2; i < x; i++) factorial *= i;
    return Math.log(factorial);
  }
  let y = x;
  let product = 1;
  while (y < 15) {
    product *= y;
    y += 1;
  }
  const series = stirlingSeries(y, STIRLING_COEFFICIENTS.length);
  return (y - 0.5) * Math.log(y) - y + LOG_SQRT_2PI + series - Math.log(product);
}

/**
 * Standard normal density. z²/2 is split as hi² + (z−hi)(z+hi) with hi on a 1/16 grid, so the
 * exponent stays exact and the far tails keep full relative precision.
 */
function normalPdf(z: number): number {
  const hi = Math.round(z * 16) / 16;
  const lo = z - hi;
  return (Math.exp(-0.5 * hi * hi) * Math.exp(-0.5 * lo * (z + hi))) / SQRT_2PI;
}

/** Below this |z| the power series is used; above it the continued fraction needs < 180 terms. */
const NORMAL_SERIES_LIMIT = 1.5;

/**
 * S(z) = Σ z^(2n+1)/(1·3·…·(2n+1)), so that Φ(z) = ½ + φ(z)·S(z). All terms share a sign, so the
 * sum has no cancellation.
 */
function normalCentralSeries(z: number): number {
  const z2 = z * z;
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= z2 / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= Math.abs(sum) * 1e-17) break;
  }
  return sum;
}

/**
 * Standard normal CDF Φ(z), accurate to ~1e-15 relative. The lower tail is computed directly, never
 * as 1 − Φ(−z), so tiny p-values keep their relative precision down to ~1e-300.
 * |z| < 1.5: Φ(z) = ½ + φ(z)·S(z). Otherwise Laplace's continued fraction for the Mills ratio,
 * Q(t) = φ(t)/(t + 1/(t + 2/(t + 3/(t + …)))) for the tail beyond t = |z|.
 */
export function normalCdf(z: number): number {
  if (Number.isNaN(z)) throw new RangeError("normalCdf: z is NaN");
  if (z === Number.POSITIVE_INFINITY) return 1;
  if (z === Number.NEGATIVE_INFINITY) return 0;
  const pdf = normalPdf(z);
  if (Math.abs(z) < NORMAL_SERIES_LIMIT) return 0.5 + pdf * normalCentralSeries(z);
  const upperTail = pdf / millsContinuedFraction(Math.abs(z));
  return z > 0 ? 1 - upperTail : upperTail;
}

/** Evaluates t + 1/(t + 2/(t + 3/(t + …))) for t ≥ 1.5 with the modified Lentz method. */
function millsContinuedFraction(t: number): number {
  const tiny = 1e-300;
  let f = t;
  let c = t;
  let d = 0;
  for (let j = 1; j < 5000; j++) {
    d = t + j * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = t + j / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

/**
 * Inverse of the standard normal CDF. Starts from the Abramowitz–Stegun 26.2.23 rational
 * approximation (|error| < 4.5e-4) and polishes it with Halley steps on `normalCdf`, which converge
 * cubically, so the result is as accurate as `normalCdf` itself (~1e-15), tails included.
 * normalQuantile(0) = −∞, normalQuantile(1) = +∞.
 */
export function normalQuantile(p: number): number {
  assertProbability("p", p);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  // 1 − p is exact for p ≥ 0.5, so working in the lower tail loses nothing.
  if (p > 0.5) return -normalQuantile(1 - p);
  const t = Math.sqrt(-2 * Math.log(p));
  let x = -(
    t -
    (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308)))
  );
  // Near the centre, Φ(x) − p is formed as φ(x)·S(x) − (p − ½) (p − ½ is exact for p ≥ ¼): going
  // through Φ(x) ≈ 0.5 would cap the absolute accuracy of small |x| at ~1e-16.
  const central = p >= 0.25;
  for (let i = 0; i < 10; i++) {
    const pdf = normalPdf(x);
    if (pdf === 0) break;
    const r = central ? normalCentralSeries(x) - (p - 0.5) / pdf : (normalCdf(x) - p) / pdf;
    const step = r / (1 + 0.5 * x * r);
    x -= step;
    if (Math.abs(step) <= 1e-15 * Math.abs(x)) break;
  }
  return x;
}

/**
 * δ(v) = ln Γ(v+1) − [(v+½) ln v − v + ½ ln 2π], the Stirling remainder (v > 0). Kept separate so
 * that binomial and beta terms never subtract two huge ln Γ values (Loader 2000).
 */
function stirlingError(v: number): number {
  if (v < 16) return logGamma(v + 1) - (v + 0.5) * Math.log(v) + v - LOG_SQRT_2PI;
  // Five terms suffice from 16 on: the next one is below 1e-16.
  return stirlingSeries(v, 5);
}

/**
 * x ln(x/m) + m − x without cancellation: for x ≈ m it uses
 * (x−m)v + 2x Σ_{j≥1} v^(2j+1)/(2j+1) with v = (x−m)/(x+m).
 */
function deviance(x: number, m: number): number {
  if (Math.abs(x - m) < 0.1 * (x + m)) {
    const v = (x - m) / (x + m);
    const v2 = v * v;
    let sum = (x - m) * v;
    let power = 2 * x * v;
    for (let j = 1; j < 1000; j++) {
      power *= v2;
      const next = sum + power / (2 * j + 1);
      if (next === sum) return next;
      sum = next;
    }
    return sum;
  }
  return x * Math.log(x / m) + m - x;
}

/**
 * Γ(a+b+1)/(Γ(a+1)Γ(b+1)) · x^a · y^b for a, b > 0 and y = 1 − x: the binomial probability of a
 * successes in a + b trials, generalised to real a, b. Loader's saddle-point form:
 * √(n/(2πab)) · exp(δ(n) − δ(a) − δ(b) − D(a, nx) − D(b, ny)), n = a + b, accurate to ~1e-14 relative
 * even at n = 100 000, where ln C(n, a) + a ln x + … would lose ~1e-10 to cancellation.
 */
function binomialKernel(a: number, b: number, x: number, y: number): number {
  const n = a + b;
  const exponent =
    stirlingError(n) - stirlingError(a) - stirlingError(b) - deviance(a, n * x) - deviance(b, n * y);
  return Math.sqrt(n / (2 * Math.PI * a * b)) * Math.exp(exponent);
}

/**
 * Regularized incomplete beta I_x(a, b) for a, b > 0 and x ∈ [0, 1], via the continued fraction
 * DLMF 8.17.22 (modified Lentz), using the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) on the side where the
 * fraction converges fast. About 1e-14 relative accuracy, also for a, b around 1e5.
 */
export function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b))) {
    throw new RangeError(`incomplete beta needs finite a, b > 0, got a=${a}, b=${b}`);
  }
  assertProbability("x", x);
  if (x === 0) return 0;
  if (x === 1) return 1;
  // 1 − x is exact for x ≥ ½ and within 1 ulp otherwise, so both arguments keep full precision.
  if (x > (a + 1) / (a + b + 2)) return 1 - betaContinuedFraction(1 - x, x, b, a);
  return betaContinuedFraction(x, 1 - x, a, b);
}

/** I_x(a,b) from the continued fraction, y = 1 − x; converges fast only for x < (a+1)/(a+b+2). */
function betaContinuedFraction(x: number, y: number, a: number, b: number): number {
  const tiny = 1e-300;
  // f = 1/(1 + d₁/(1 + d₂/(1 + …))), evaluated as b₀ + a₁/(b₁ + …) with b₀ = 0, a₁ = 1, b_j = 1.
  let f = tiny;
  let c = f;
  let d = 0;
  for (let j = 1; j < 100_000; j++) {
    // Partial numerator a_j: 1 for j = 1, then d_{j−1} (odd and even forms differ).
    const i = j - 1;
    let numerator: number;
    if (i === 0) {
      numerator = 1;
    } else if (i % 2 === 0) {
      const k = i / 2;
      numerator = (k * (b - k) * x) / ((a + 2 * k - 1) * (a + 2 * k));
    } else {
      const k = (i - 1) / 2;
      numerator = -((a + k) * (a + b + k) * x) / ((a + 2 * k) * (a + 2 * k + 1));
    }
    d = 1 + numerator * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + numerator / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  // Prefactor x^a·y^b / (a·B(a, b)) = b/(a+b) · kernel.
  return (b / (a + b)) * binomialKernel(a, b, x, y) * f;
}

/**
 * The x ∈ [0, 1] with I_x(a, b) = p: Newton's method on I, kept inside a shrinking bracket and
 * falling back to bisection whenever a step would leave it. Converges to ~1e-15 relative in x.
 */
export function inverseRegularizedIncompleteBeta(p: number, a: number, b: number): number {
  assertProbability("p", p);
  if (!(a > 0 && b > 0 && Number.isFinite(a) && Number.isFinite(b))) {
    throw new RangeError(`incomplete beta needs finite a, b > 0, got a=${a}, b=${b}`);
  }
  if (p === 0) return 0;
  if (p === 1) return 1;
  let lo = 0;
  let hi = 1;
  let x = a / (a + b);
  for (let iteration = 0; iteration < 500; iteration++) {
    const error = regularizedIncompleteBeta(x, a, b) - p;
    if (error === 0) return x;
    if (error < 0) lo = x;
    else hi = x;
    const y = 1 - x;
    // Beta density x^(a−1)·y^(b−1)/B(a, b) = ab/(a+b) · kernel / (x·y).
    const density = ((a * b) / (a + b)) * (binomialKernel(a, b, x, y) / (x * y));
    let next = x - error / density;
    if (!(next > lo && next < hi)) next = lo + (hi - lo) / 2;
    if (Math.abs(next - x) <= 1e-15 * next || next === lo || next === hi) return next;
    x = next;
  }
  return x;
}

// ---------------------------------------------------------------------------------------------------
// Binomial distribution

/**
 * v^n where v + w = 1 and one of the two is the caller's exact input, the other its rounded
 * complement. A v ≤ ½ is always exact (given, or 1 − w by Sterbenz); a v > ½ is exact iff 1 − v
 * (itself exact) gives back w. Exact v: Math.pow, accurate to ~1 ulp; rounded v: exp(n·ln(1 − w)).
 */
function complementPower(v: number, w: number, n: number): number {
  return v <= 0.5 || 1 - v === w ? v ** n : Math.exp(n * Math.log1p(-w));
}

/** P(X = k) for X ~ Bin(n, p); q = 1 − p is passed separately so either tail keeps its precision. */
function binomialPmf(k: number, n: number, p: number, q: number): number {
  if (k === 0) return complementPower(q, p, n);
  if (k === n) return complementPower(p, q, n);
  return binomialKernel(k, n - k, p, q);
}

/**
 * P(X ≤ k) for X ~ Bin(n, p), summing only the tail that does not contain the mode (so small tails
 * are computed directly, never as 1 − something) and stopping once the remainder is negligible.
 */
function binomialLowerTail(k: number, n: number, p: number, q: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p === 0) return 1;
  if (q === 0) return 0;
  const mode = Math.floor((n + 1) * p);
  const negligible = 1e-17;
  if (k < mode) {
    // Terms shrink as i falls below the mode; the i remaining terms are each ≤ the current one.
    let term = binomialPmf(k, n, p, q);
    let sum = term;
    const ratio = q / p;
    for (let i = k; i > 0; i--) {
      term *= (i / (n - i + 1)) * ratio;
      sum += term;
      if (term * i <= sum * negligible) break;
    }
    return sum;
  }
  // k is at or past the mode: the upper tail {X > k} is the small one.
  let term = binomialPmf(k + 1, n, p, q);
  let sum = term;
  const ratio = p / q;
  for (let i = k + 1; i < n; i++) {
    term *= ((n - i) / (i + 1)) * ratio;
    sum += term;
    if (term * (n - i) <= sum * negligible) break;
  }
  return 1 - sum;
}

function assertBinomialArgs(k: number, n: number, p: number): void {
  if (!Number.isSafeInteger(k)) throw new RangeError(`k must be an integer, got ${k}`);
  assertCount("n", n);
  assertProbability("p", p);
}

/** P(X ≤ k) for X ~ Bin(n, p). Defined for every integer k: 0 below 0, 1 from n up. */
export function binomialCdf(k: number, n: number, p: number): number {
  assertBinomialArgs(k, n, p);
  return binomialLowerTail(k, n, p, 1 - p);
}

/** P(X ≥ k) for X ~ Bin(n, p), computed as P(n − X ≤ n − k) so a small upper tail stays exact. */
export function binomialTailUpper(k: number, n: number, p: number): number {
  assertBinomialArgs(k, n, p);
  return binomialLowerTail(n - k, n, 1 - p, p);
}

// ---------------------------------------------------------------------------------------------------
// Proportions

/**
 * Wilson score interval for a binomial proportion. Behaves well at 0/n and n/n (where the Wald
 * interval collapses to a point); the bounds there are exactly 0 and 1. n = 0 gives [0, 1].
 */
export function wilsonInterval(successes: number, n: number, confidence = 0.95): Interval {
  assertCount("n", n);
  assertCount("successes", successes);
  if (successes > n) throw new RangeError(`successes (${successes}) exceeds n (${n})`);
  assertConfidence(confidence);
  if (n === 0) return { lower: 0, upper: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z2 = z * z;
  const phat = successes / n;
  const denominator = 1 + z2 / n;
  const centre = (phat + z2 / (2 * n)) / denominator;
  const halfWidth = (z / denominator) * Math.sqrt((phat * (1 - phat)) / n + z2 / (4 * n * n));
  return {
    lower: successes === 0 ? 0 : Math.max(0, centre - halfWidth),
    upper: successes === n ? 1 : Math.min(1, centre + halfWidth),
  };
}

/**
 * Clopper–Pearson exact interval: the bounds are the p at which observing ≥ k (resp. ≤ k) successes
 * has probability (1 − confidence)/2, i.e. beta quantiles. Conservative: coverage ≥ confidence for
 * every true p. n = 0 gives [0, 1].
 */
export function clopperPearson(k: number, n: number, confidence = 0.95): Interval {
  assertCount("n", n);
  assertCount("k", k);
  if (k > n) throw new RangeError(`k (${k}) exceeds n (${n})`);
  assertConfidence(confidence);
  const tail = (1 - confidence) / 2;
  return {
    lower: k === 0 ? 0 : inverseRegularizedIncompleteBeta(tail, k, n - k + 1),
    upper: k === n ? 1 : inverseRegularizedIncompleteBeta(1 - tail, k + 1, n - k),
  };
}

// ---------------------------------------------------------------------------------------------------
// Paired pass/fail: McNemar

export interface McNemarResult {
  /** Discordant pairs that passed on the baseline and failed on the patched service (regressions). */
  readonly b: number;
  /** Discordant pairs that failed on the baseline and passed on the patched service (fixes). */
  readonly c: number;
  /** Two-sided exact p-value: min(1, 2·P(X ≤ min(b, c))), X ~ Bin(b + c, ½). */
  readonly pTwoSided: number;
  /** One-sided P(X ≥ b): small when the patched service fails more pairs than the baseline. */
  readonly pPatchedWorse: number;
  /** One-sided P(X ≥ c): small when the patched service fixes more pairs than it breaks. */
  readonly pPatchedBetter: number;
}

/**
 * Exact McNemar test on the discordant pairs of a paired replay. Under H0 (the patch changes
 * nothing) each discordant pair is equally likely to go either way, so b ~ Bin(b + c, ½).
 * The exact binomial is cheap at any size here, so no chi-square approximation is offered; mid-p is
 * left out on purpose: it does not guarantee the nominal error rate, and the verifier prefers being
 * conservative (an honest INCONCLUSIVE) over a false PASS/REJECT. b = c = 0 gives p = 1 throughout.
 */
export function mcnemarExact(b: number, c: number): McNemarResult {
  assertCount("b", b);
  assertCount("c", c);
  const n = b + c;
  return {
    b,
    c,
    pTwoSided: Math.min(1, 2 * binomialCdf(Math.min(b, c), n, 0.5)),
    pPatchedWorse: binomialTailUpper(b, n, 0.5),
    pPatchedBetter: binomialTailUpper(c, n, 0.5),
  };
}

// ---------------------------------------------------------------------------------------------------
// Two samples: Mann–Whitney U and Hodges–Lehmann

/**
 * Up to this many pairs (n·m) the exact null distribution of U is used. Building it costs about
 * (n·m)²/4 additions, i.e. ~1.6 million here.
 */
const EXACT_MAX_PAIRS = 2500;

/**
 * Null distribution of U (number of pairs with y > x) for sample sizes n, m without ties, as
 * probabilities indexed by U = 0..n·m. Recursion on which sample holds the largest observation:
 * with probability n/(n+m) it is an x (adds nothing), else a y (beats all n x's, adds n).
 */
function mannWhitneyNullDistribution(n: number, m: number): Float64Array {
  let previous: Float64Array[] = Array.from({ length: m + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= n; i++) {
    const current: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= m; j++) {
      const fromX = previous[j] as Float64Array; // sizes (i−1, j)
      const fromY = current[j - 1] as Float64Array; // sizes (i, j−1)
      const wx = i / (i + j);
      const wy = j / (i + j);
      const dist = new Float64Array(i * j + 1);
      for (let u = 0; u < fromX.length; u++) dist[u] = wx * at(fromX, u);
      for (let u = 0; u < fromY.length; u++) dist[u + i] = at(dist, u + i) + wy * at(fromY, u);
      current.push(dist);
    }
    previous = current;
  }
  return previous[m] as Float64Array;
}

export interface MannWhitneyResult {
  /** U for the patched sample: #pairs with y > x plus half the tied pairs. */
  readonly u: number;
  /** Continuity-corrected, tie-corrected normal score of U (0 when all values tie). For display. */
  readonly z: number;
  readonly pTwoSided: number;
  /** One-sided p for H1 "y tends to be larger than x" (e.g. patched latency is worse). */
  readonly pGreater: number;
  /** One-sided p for H1 "y tends to be smaller than x". */
  readonly pLess: number;
  /** P(Y > X) + ½·P(Y = X) = U/(n·m): 0.5 means no tendency either way. */
  readonly probabilityOfSuperiority: number;
  /** "exact": permutation distribution (no ties, n·m ≤ 2500); "normal": tie-corrected approximation. */
  readonly method: "exact" | "normal";
}

export interface MannWhitneyOptions {
  /** "auto" (default) uses the exact distribution when it is valid and cheap; "normal" never does. */
  readonly method?: "auto" | "normal";
}

/**
 * Mann–Whitney U (Wilcoxon rank-sum) test of baseline `x` against patched `y`, with mid-ranks for
 * ties. The normal approximation uses the tie-corrected variance
 * n·m/12·(N + 1 − Σ(t³ − t)/(N(N − 1))) and a 0.5 continuity correction. If every value ties, there is
 * no evidence either way: all p-values are 1 (not NaN). Both samples must be non-empty.
 */
export function mannWhitneyU(
  x: readonly number[],
  y: readonly number[],
  options: MannWhitneyOptions = {},
): MannWhitneyResult {
  assertSample("x", x);
  assertSample("y", y);
  const n = x.length;
  const m = y.length;
  const total = n + m;
  const pooled = [...x, ...y];
  const order = Array.from({ length: total }, (_, i) => i).sort((i, j) => at(pooled, i) - at(pooled, j));

  let rankSumY = 0;
  let tieTerm = 0;
  let largestTieGroup = 0;
  for (let start = 0; start < total; ) {
    const value = at(pooled, at(order, start));
    let end = start + 1;
    while (end < total && at(pooled, at(order, end)) === value) end++;
    const size = end - start;
    const midRank = (start + 1 + end) / 2;
    for (let i = start; i < end; i++) if (at(order, i) >= n) rankSumY += midRank;
    tieTerm += size * size * size - size;
    largestTieGroup = Math.max(largestTieGroup, size);
    start = end;
  }

  const u = rankSumY - (m * (m + 1)) / 2;
  const pairs = n * m;
  const mean = pairs / 2;
  const variance = (pairs / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  const sd = largestTieGroup === total || !(variance > 0) ? 0 : Math.sqrt(variance);
  const deviation = u - mean;
  const z = sd === 0 ? 0 : (Math.sign(deviation) * Math.max(0, Math.abs(deviation) - 0.5)) / sd;
  const probabilityOfSuperiority = u / pairs;

  let pGreater: number;
  let pLess: number;
  let method: "exact" | "normal";
  if ((options.method ?? "auto") === "auto" && tieTerm === 0 && pairs <= EXACT_MAX_PAIRS) {
    method = "exact";
    const dist = mannWhitneyNullDistribution(n, m);
    // Sum each tail from its own end so small p-values keep their relative precision.
    pGreater = 0;
    for (let v = pairs; v >= u; v--) pGreater += at(dist, v);
    pLess = 0;
    for (let v = 0; v <= u; v++) pLess += at(dist, v);
  } else {
    method = "normal";
    if (sd === 0) {
      pGreater = 1;
      pLess = 1;
    } else {
      pGreater = normalCdf(-(deviation - 0.5) / sd);
      pLess = normalCdf((deviation + 0.5) / sd);
    }
  }
  return {
    u,
    z,
    pTwoSided: Math.min(1, 2 * Math.min(pGreater, pLess)),
    pGreater: Math.min(1, pGreater),
    pLess: Math.min(1, pLess),
    probabilityOfSuperiority,
    method,
  };
}

/** Maps a double to a bigint that sorts like the double (−0 and +0 share 0n), and back. */
function orderedKey(value: number, view: DataView): bigint {
  view.setFloat64(0, value);
  const bits = view.getBigInt64(0);
  return bits >= 0n ? bits : -(bits & 0x7fff_ffff_ffff_ffffn);
}

function fromOrderedKey(key: bigint, view: DataView): number {
  view.setBigInt64(0, key >= 0n ? key : BigInt.asIntN(64, -key | (1n << 63n)));
  return view.getFloat64(0);
}

/**
 * The k-th smallest (1-based) of the n·m differences ys[j] − xs[i], both arrays sorted ascending,
 * without materialising them: bisect over the ordering of doubles (≤ 64 steps), counting the
 * differences ≤ t with a two-pointer sweep in O(n + m). Exact, because floating-point subtraction is
 * monotone, so the answer is itself one of the computed differences.
 */
function kthSmallestDifference(xs: Float64Array, ys: Float64Array, k: number): number {
  const n = xs.length;
  const m = ys.length;
  const countAtMost = (t: number): number => {
    let count = 0;
    let i = 0;
    for (let j = 0; j < m; j++) {
      const yj = at(ys, j);
      while (i < n && yj - at(xs, i) > t) i++;
      count += n - i;
    }
    return count;
  };
  const view = new DataView(new ArrayBuffer(8));
  let lo = orderedKey(at(ys, 0) - at(xs, n - 1), view) - 1n; // count(lo) = 0 < k
  let hi = orderedKey(at(ys, m - 1) - at(xs, 0), view); // count(hi) = n·m ≥ k
  while (hi - lo > 1n) {
    const mid = (lo + hi) / 2n;
    if (countAtMost(fromOrderedKey(mid, view)) >= k) hi = mid;
    else lo = mid;
  }
  return fromOrderedKey(hi, view);
}

/**
 * Rank k such that [D₍k₎, D₍N+1−k₎] over the sorted pairwise differences is a `confidence` interval
 * for the shift, and its coverage. Under a pure shift Δ, #{differences < Δ} has the null distribution
 * of U, so coverage = 1 − 2·P(U ≤ k − 1). Exact distribution for small n·m, normal (continuity
 * corrected) otherwise. k = 0 means even the extreme differences do not reach the confidence.
 */
function shiftIntervalRank(n: number, m: number, confidence: number): { rank: number; coverage: number } {
  const pairs = n * m;
  const tail = (1 - confidence) / 2;
  const maxRank = Math.floor((pairs + 1) / 2);
  if (pairs <= EXACT_MAX_PAIRS) {
    const dist = mannWhitneyNullDistribution(n, m);
    let cumulative = 0;
    let rank = 0;
    while (rank < maxRank && cumulative + at(dist, rank) <= tail) {
      cumulative += at(dist, rank);
      rank++;
    }
    return { rank, coverage: 1 - 2 * cumulative };
  }
  const sd = Math.sqrt((pairs * (n + m + 1)) / 12);
  const rank = Math.min(maxRank, Math.max(0, Math.floor(pairs / 2 + normalQuantile(tail) * sd + 0.5)));
  return { rank, coverage: rank === 0 ? 1 : 1 - 2 * normalCdf((rank - 0.5 - pairs / 2) / sd) };
}

export interface HodgesLehmannResult {
  /** Median of all pairwise differences y − x: the estimated shift (patched minus baseline). */
  readonly shift: number;
  /**
   * Lower end of the distribution-free interval for the shift; `undefined` when the samples are too
   * small for any interval at this confidence (the verifier must then be INCONCLUSIVE).
   */
  readonly lower: number | undefined;
  /** Upper end; `undefined` exactly when `lower` is. */
  readonly upper: number | undefined;
  /**
   * Coverage of [lower, upper] under a pure shift with continuous data (≥ confidence; exact when
   * n·m ≤ 2500, normal-approximated above). 1 when unbounded. Ties make the closed interval somewhat
   * conservative.
   */
  readonly coverage: number;
}

/**
 * Hodges–Lehmann estimate of the shift y − x with the Moses (Lehmann) distribution-free interval
 * [D₍k₎, D₍N+1−k₎] over the N = n·m sorted pairwise differences, k from the Mann–Whitney null
 * distribution. Order statistics of the differences are selected exactly in O((n + m)·64) time and
 * O(1) extra memory, so there is no size limit and no sampling. Both samples must be non-empty.
 */
export function hodgesLehmannShift(
  x: readonly number[],
  y: readonly number[],
  confidence = 0.95,
): HodgesLehmannResult {
  assertSample("x", x);
  assertSample("y", y);
  assertConfidence(confidence);
  const xs = Float64Array.from(x).sort();
  const ys = Float64Array.from(y).sort();
  const n = xs.length;
  const m = ys.length;
  const pairs = n * m;
  if (!Number.isFinite(at(ys, m - 1) - at(xs, 0)) || !Number.isFinite(at(ys, 0) - at(xs, n - 1))) {
    throw new RangeError("differences y − x overflow: values are too large");
  }
  const kth = (k: number) => kthSmallestDifference(xs, ys, k);
  let shift: number;
  if (pairs % 2 === 1) {
    shift = kth((pairs + 1) / 2);
  } else {
    const a = kth(pairs / 2);
    shift = a + (kth(pairs / 2 + 1) - a) / 2;
  }
  const { rank, coverage } = shiftIntervalRank(n, m, confidence);
  if (rank === 0) return { shift, lower: undefined, upper: undefined, coverage };
  return { shift, lower: kth(rank), upper: kth(pairs + 1 - rank), coverage };
}

// ---------------------------------------------------------------------------------------------------
// Quantiles

/**
 * Sample quantile, Hyndman–Fan type 7 (the default of R, NumPy and Python's
 * `statistics.quantiles(method="inclusive")`): linear interpolation between order statistics at
 * position (n − 1)·q. `sorted` must be ascending and non-empty.
 */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError("quantile of an empty sample is undefined");
  assertProbability("q", q);
  assertSorted(sorted);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const fraction = position - below;
  const a = at(sorted, below);
  if (fraction === 0) return a;
  return a + fraction * (at(sorted, below + 1) - a);
}

/** An order statistic of a sorted sample: `value` is `sorted[rank − 1]`. */
export interface OrderStatistic {
  /** 1-based rank in the sorted sample. */
  readonly rank: number;
  readonly value: number;
}

export interface QuantileInterval {
  /**
   * Order statistic at or below the population quantile with the requested confidence; `undefined`
   * when the sample is too small to bound it from below (no finite bound: the verifier must not guess).
   */
  readonly lower: OrderStatistic | undefined;
  /** Same from above; e.g. p99 with n = 100 has no upper bound at 95%. */
  readonly upper: OrderStatistic | undefined;
  /**
   * Actual coverage for continuous data, P(l ≤ B < u) with B ~ Bin(n, q) and missing bounds taken as
   * l = 0, u = n + 1; always ≥ confidence.
   */
  readonly coverage: number;
}

/**
 * Distribution-free, equal-tailed interval for the population q-quantile from order statistics.
 * #{observations below the quantile} is B ~ Bin(n, q), so X₍l₎ ≤ ξ_q ≤ X₍u₎ fails on the low side
 * with probability P(B ≤ l − 1) and on the high side with P(B ≥ u). Picks the largest l and smallest
 * u that keep each side ≤ (1 − confidence)/2. An empty sample gives both bounds `undefined`.
 */
export function quantileConfidenceInterval(
  sorted: readonly number[],
  q: number,
  confidence = 0.95,
): QuantileInterval {
  assertProbability("q", q);
  assertConfidence(confidence);
  assertSorted(sorted);
  const n = sorted.length;
  const tail = (1 - confidence) / 2;
  const missLow = (l: number) => binomialCdf(l - 1, n, q); // non-decreasing in l
  const missHigh = (u: number) => binomialTailUpper(u, n, q); // non-increasing in u

  // Largest l in [0, n] with missLow(l) ≤ tail (l = 0 always qualifies and means "no bound").
  let lo = 0;
  let hi = n + 1;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (missLow(mid) <= tail) lo = mid;
    else hi = mid;
  }
  const l = lo;
  // Smallest u in [1, n + 1] with missHigh(u) ≤ tail (u = n + 1 always qualifies: "no bound").
  lo = 0;
  hi = n + 1;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (missHigh(mid) <= tail) hi = mid;
    else lo = mid;
  }
  const u = hi;
  return {
    lower: l === 0 ? undefined : { rank: l, value: at(sorted, l - 1) },
    upper: u === n + 1 ? undefined : { rank: u, value: at(sorted, u - 1) },
    coverage: 1 - missLow(l) - missHigh(u),
  };
}
