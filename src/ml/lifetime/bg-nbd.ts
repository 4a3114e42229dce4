// BG/NBD ("beta-geometric / negative binomial distribution"), Fader, Hardie & Lee (2005),
// "Counting Your Customers the Easy Way", Marketing Science 24(2). While alive a customer buys
// at a Poisson rate λ ~ Gamma(r, α); after each purchase they drop out with probability
// p ~ Beta(a, b). Units: α, t_x, T and every horizon t are in the summary's time unit.
//   r, α — shape and scale of purchase rates: mean rate r/α purchases per unit of time.
//   a, b — dropout after a purchase: mean probability a/(a + b).
import { digammaRising, logRising, sigmoid } from '../numeric/special.ts';
import { checkRepeatSummary, type RepeatSummary } from '../customers/summary.ts';
import type { Objective } from '../numeric/optimize.ts';
import { compressSummary, fitOnLogScale, purchaseModelDiagnostics, type CompressedSummary, type ModelFit } from './fit.ts';

export interface BgNbdParams {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
}

export type BgNbdFit = ModelFit<'bg-nbd', BgNbdParams>;

export interface BgNbdOptions {
  /** L2 penalty on the parameters (as lifetimes' penalizer_coef), added to the mean negative log-likelihood. */
  penalizer: number;
}

/**
 * Maximum-likelihood fit on log-parameters (BFGS with the analytic gradient, Nelder-Mead fallback).
 * Identical customers are grouped first, so the cost grows with distinct (x, t_x, T) rows. When
 * the data push the dropout probability to zero (no one seems to leave, as on Online Retail) the
 * fit is still returned, with `diagnostics.boundary` containing 'dropout→0': its predictions are
 * then those of the NBD model (P(alive) ≈ 1), and P(no purchase in t) remains a useful churn score.
 */
export function fitBgNbd(data: RepeatSummary, options: Partial<BgNbdOptions> = {}): BgNbdFit {
  const { penalizer } = { penalizer: 0, ...options } satisfies BgNbdOptions;
  checkRepeatSummary(data);
  const rows = compressSummary(data);
  let sumX = 0;
  let sumT = 0;
  for (let i = 0; i < rows.weight.length; i++) {
    sumX += rows.weight[i]! * rows.frequency[i]!;
    sumT += rows.weight[i]! * rows.T[i]!;
  }
  // Start where the mean purchase rate r/α matches the data's, with r = a = b = 1.
  const alpha0 = sumX > 0 && sumT > 0 ? sumT / sumX : 1;
  const fit = fitOnLogScale(bgNbdObjective(rows, penalizer), [0, Math.log(alpha0), 0, 0], ['r', 'alpha', 'a', 'b']);
  const [r, alpha, a, b] = fit.params as [number, number, number, number];
  const params: BgNbdParams = Object.freeze({ r, alpha, a, b });
  const logLikelihood = -bgNbdObjective(rows, 0)(fit.theta, new Float64Array(4)) * rows.totalWeight;
  const dropout = a / (a + b);
  const diagnostics = purchaseModelDiagnostics(
    fit,
    rows,
    penalizer,
    sumX,
    dropout,
    `the mean dropout probability a/(a+b) = ${dropout.toExponential(2)} ran to zero: the data show no sign of customers leaving, so P(alive) ≈ 1 for everyone; rank churn risk by P(no purchase in the horizon) instead`,
  );
  return Object.freeze({
    model: 'bg-nbd' as const,
    unit: data.unit,
    params,
    logLikelihood,
    iterations: fit.iterations,
    converged: fit.converged,
    diagnostics,
  });
}

/**
 * Log-likelihood of each row (FHL 2005 eq. 6, in logs as in Hardie's note on the #NUM! error):
 * ln L = ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
 *        + ln[(α+T)^−(r+x) + δ(x>0) a/(b+x−1) (α+t_x)^−(r+x)].
 */
export function bgNbdLogLikelihood(params: BgNbdParams, data: RepeatSummary): number {
  checkRepeatSummary(data);
  const rows = compressSummary(data);
  const grad = new Float64Array(4);
  const theta = Float64Array.of(Math.log(params.r), Math.log(params.alpha), Math.log(params.a), Math.log(params.b));
  return -bgNbdObjective(rows, 0)(theta, grad) * rows.totalWeight;
}

/**
 * Mean negative log-likelihood (+ penalty) over log-parameters θ = ln(r, α, a, b) and its gradient.
 * Terms depending only on x are computed once per distinct x.
 */
function bgNbdObjective(rows: CompressedSummary, penalizer: number): Objective {
  const { frequency, recency, T, weight, totalWeight, distinctX, xIndex, weightOfX } = rows;
  const nx = distinctX.length;
  const xConst = new Float64Array(nx);
  const logBx1 = new Float64Array(nx);
  const dR = new Float64Array(nx);
  const dAB = new Float64Array(nx);
  const dB = new Float64Array(nx);
  return (theta: Float64Array, grad: Float64Array): number => {
    const r = Math.exp(theta[0]!);
    const alpha = Math.exp(theta[1]!);
    const a = Math.exp(theta[2]!);
    const b = Math.exp(theta[3]!);
    if (!(r > 0 && alpha > 0 && b > 0 && Number.isFinite(r + alpha + a + b))) return Number.POSITIVE_INFINITY;
    const logA = theta[2]!;
    const logAlpha = theta[1]!;
    let ll = 0;
    let gr = 0;
    let galpha = 0;
    let ga = 0;
    let gb = 0;
    for (let k = 0; k < nx; k++) {
      const x = distinctX[k]!;
      const w = weightOfX[k]!;
      const c = logRising(r, x) + r * logAlpha + logRising(b, x) - logRising(a + b, x);
      xConst[k] = c;
      logBx1[k] = x > 0 ? Math.log(b + x - 1) : 0;
      dR[k] = digammaRising(r, x);
      dAB[k] = digammaRising(a + b, x);
      dB[k] = digammaRising(b, x);
      ll += w * c;
      gr += w * (dR[k]! + logAlpha);
      galpha += (w * r) / alpha;
      ga -= w * dAB[k]!;
      gb += w * (dB[k]! - dAB[k]!);
    }
    for (let i = 0; i < weight.length; i++) {
      const w = weight[i]!;
      const x = frequency[i]!;
      const k = xIndex[i]!;
      const rx = r + x;
      const aT = alpha + T[i]!;
      const logAT = Math.log(aT);
      const u = -rx * logAT;
      if (x === 0) {
        ll += w * u;
        gr -= w * logAT;
        galpha -= (w * rx) / aT;
        continue;
      }
      const atx = alpha + recency[i]!;
      const logATx = Math.log(atx);
      const v = logA - logBx1[k]! - rx * logATx;
      // ln(e^u + e^v) and ω = e^v / (e^u + e^v), the share of the likelihood from "dropped out
      // right after the last purchase", from one exponential.
      const e = Math.exp(-Math.abs(v - u));
      const omega = v > u ? 1 / (1 + e) : e / (1 + e);
      ll += w * (Math.max(u, v) + Math.log1p(e));
      gr -= w * ((1 - omega) * logAT + omega * logATx);
      galpha -= w * rx * ((1 - omega) / aT + omega / atx);
      ga += w * omega / a;
      gb -= (w * omega) / (b + x - 1);
    }
    const pen = penalizer * (r * r + alpha * alpha + a * a + b * b);
    grad[0] = (-gr / totalWeight + 2 * penalizer * r) * r;
    grad[1] = (-galpha / totalWeight + 2 * penalizer * alpha) * alpha;
    grad[2] = (-ga / totalWeight + 2 * penalizer * a) * a;
    grad[3] = (-gb / totalWeight + 2 * penalizer * b) * b;
    return -ll / totalWeight + pen;
  };
}

/**
 * P(alive | x, t_x, T) (FHL 2005 eq. 11): the probability that a customer with x repeat purchases,
 * the last at age t_x, has not dropped out by age T. Exactly 1 when x = 0 (in BG/NBD dropout only
 * happens right after a purchase).
 */
export function probabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds = Math.log(a) - Math.log(b + x - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return sigmoid(-logOdds);
}

/**
 * E[Y(t) | x, t_x, T] (FHL 2005 eq. 10): expected repeat purchases in the next t units by a customer
 * with this history.
 */
export function expectedPurchases(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = params;
  if (t === 0) return 0;
  return probabilityAlive(params, x, tx, T) * aliveExpectation(r + x, a, a + b + x - 1, alpha + T, t);
}

/** E[X(t)] (FHL 2005 eq. 9): expected purchases in (0, t] by a customer just acquired at time 0. */
export function expectedPurchasesUnconditional(params: BgNbdParams, t: number): number {
  const { r, alpha, a, b } = params;
  if (t === 0) return 0;
  return aliveExpectation(r, a, a + b - 1, alpha, t);
}

/**
 * c/(a−1) · [1 − (A/(A+t))^R ₂F₁(R, B; c; z)] with c = a + B − 1, z = t/(A+t), the common core
 * of eqs. 9 and 10. Euler's transformation ₂F₁(R,B;c;z) = (1−z)^(c−R−B) ₂F₁(c−R, a−1; c; z) turns
 * it into c·[(1 − (1−z)^(a−1))/(a−1) − (1−z)^(a−1)·S] where S's terms stay small (c − R does not
 * grow with x) and the removable singularity at a = 1 disappears.
 */
function aliveExpectation(R: number, a: number, c: number, A: number, t: number): number {
  const logOneMinusZ = -Math.log1p(t / A);
  const z = -Math.expm1(logOneMinusZ);
  const am1 = a - 1;
  const g = Math.abs(am1) < 1e-12 ? -logOneMinusZ : -Math.expm1(am1 * logOneMinusZ) / am1;
  const cr = c - R;
  let term = (cr / c) * z;
  let sum = term;
  for (let n = 1; n < 1_000_000 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
    term *= ((cr + n) * (a + n - 1) * z) / ((c + n) * (n + 1));
    sum += term;
  }
  return c * (g - Math.exp(am1 * logOneMinusZ) * sum);
}

/**
 * P(no purchase in the next t units | x, t_x, T): dead already, or alive and the Poisson clock
 * (posterior rate Gamma(r+x, α+T)) does not tick: 1 − P(alive)·(1 − ((α+T)/(α+T+t))^(r+x)).
 * A churn score in [0, 1] that stays informative when P(alive) ≈ 1 for everyone.
 */
export function probabilityNoPurchase(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  const { r, alpha } = params;
  const pAlive = probabilityAlive(params, x, tx, T);
  return 1 + pAlive * Math.expm1(-(r + x) * Math.log1p(t / (alpha + T)));
}

/**
 * P(X(t) = n) (FHL 2005 eq. 8): the probability that a newly acquired customer makes exactly n
 * repeat purchases in (0, t].
 */
export function probabilityOfNPurchases(params: BgNbdParams, t: number, n: number): number {
  const { r, alpha, a, b } = params;
  const logBetaRatio = logRising(b, n) - logRising(a + b, n);
  const logP0 = r * Math.log(alpha / (alpha + t));
  const logQ = Math.log(t / (alpha + t));
  let lnFact = 0;
  for (let k = 2; k <= n; k++) lnFact += Math.log(k);
  const first = Math.exp(logBetaRatio + logRising(r, n) - lnFact + logP0 + (n > 0 ? n * logQ : 0));
  if (n === 0) return first;
  // P(NBD count ≥ n) = 1 − Σ_{j<n} Γ(r+j)/(Γ(r) j!) (α/(α+t))^r (t/(α+t))^j.
  let below = 0;
  let logTerm = logP0;
  for (let j = 0; j < n; j++) {
    below += Math.exp(logTerm);
    logTerm += Math.log(r + j) - Math.log(j + 1) + logQ;
  }
  const tail = Math.max(0, 1 - below);
  return first + (a / (b + n - 1)) * Math.exp(logBetaRatio) * tail;
}

/**
 * Median time until the next purchase of a customer who is still alive (posterior rate
 * Gamma(r+x, α+T)): the t with ((α+T)/(α+T+t))^(r+x) = ½. Shown with P(alive), this gives the
 * "expected date of next order" of a customer profile.
 */
export function medianTimeToNextPurchase(params: BgNbdParams, x: number, T: number): number {
  return (params.alpha + T) * Math.expm1(Math.LN2 / (params.r + x));
}

/** Vectorised scores for a whole summary, in one pass: P(alive), E[Y(t)], P(no purchase in t). */
export function scoreBgNbd(
  params: BgNbdParams,
  data: RepeatSummary,
  horizon: number,
): { probabilityAlive: Float64Array; expectedPurchases: Float64Array; probabilityNoPurchase: Float64Array } {
  const n = data.frequency.length;
  const alive = new Float64Array(n);
  const expected = new Float64Array(n);
  const none = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = data.frequency[i]!;
    const tx = data.recency[i]!;
    const T = data.T[i]!;
    alive[i] = probabilityAlive(params, x, tx, T);
    expected[i] = expectedPurchases(params, horizon, x, tx, T);
    none[i] = probabilityNoPurchase(params, horizon, x, tx, T);
  }
  return { probabilityAlive: alive, expectedPurchases: expected, probabilityNoPurchase: none };
}
