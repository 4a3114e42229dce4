// Special functions for log-space likelihoods: log-gamma, digamma, rising factorials and
// log-sum-exp. Customer-lifetime models take differences of log-gammas at large arguments
// (b = 10^4 on real data), so the differences get their own accurate forms instead of
// subtracting two big lgamma values.

const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (Lanczos, g = 7; relative error ~1e-15). NaN for x ≤ 0. */
export function lgamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ψ(x) = d/dx ln Γ(x) for x > 0: recurrence up to x ≥ 10, then the asymptotic series (error < 1e-15). */
export function digamma(x: number): number {
  if (!(x > 0)) return Number.NaN;
  let acc = 0;
  while (x < 10) {
    acc -= 1 / x;
    x += 1;
  }
  const inv = 1 / x;
  const inv2 = inv * inv;
  return (
    acc + Math.log(x) - 0.5 * inv - inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 / 132))))
  );
}

/** Counts up to this many terms are summed exactly; larger ones use lgamma differences. */
const EXACT_RISING_MAX = 2000;

/**
 * ln of the rising factorial (z)_n = Γ(z + n) / Γ(z), for z > 0 and integer n ≥ 0. Summing
 * ln(z + k) keeps full precision when z is huge, where lgamma(z + n) − lgamma(z) would not.
 */
export function logRising(z: number, n: number): number {
  if (n <= EXACT_RISING_MAX && Number.isInteger(n)) {
    let s = 0;
    for (let k = 0; k < n; k++) s += Math.log(z + k);
    return s;
  }
  return lgamma(z + n) - lgamma(z);
}

/** ψ(z + n) − ψ(z) = Σ_{k<n} 1/(z + k), the derivative of `logRising` in z. */
export function digammaRising(z: number, n: number): number {
  if (n <= EXACT_RISING_MAX && Number.isInteger(n)) {
    let s = 0;
    for (let k = 0; k < n; k++) s += 1 / (z + k);
    return s;
  }
  return digamma(z + n) - digamma(z);
}

/** ln(e^u + e^v) without overflow; −Infinity terms are allowed. */
export function logAddExp(u: number, v: number): number {
  if (u === Number.NEGATIVE_INFINITY) return v;
  if (v === Number.NEGATIVE_INFINITY) return u;
  return u > v ? u + Math.log1p(Math.exp(v - u)) : v + Math.log1p(Math.exp(u - v));
}

/** 1 / (1 + e^{−z}), accurate at both tails. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/**
 * Gauss hypergeometric ₂F₁(a, b; c; z) for 0 ≤ z < 1 by its power series, summed until a term
 * no longer changes the sum. Callers keep z away from 1 (the series then needs ~40/(1 − z) terms).
 */
export function hyp2f1(a: number, b: number, c: number, z: number, maxTerms = 1_000_000): number {
  if (!(z >= 0 && z < 1)) throw new RangeError(`hyp2f1 needs 0 ≤ z < 1, got ${z}`);
  let term = 1;
  let sum = 1;
  for (let n = 0; n < maxTerms; n++) {
    term *= ((a + n) * (b + n) * z) / ((c + n) * (n + 1));
    sum += term;
    if (Math.abs(term) <= 1e-16 * Math.abs(sum)) return sum;
  }
  return sum;
}
