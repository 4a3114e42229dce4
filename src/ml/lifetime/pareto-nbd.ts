// Pareto/NBD, Schmittlein, Morrison & Colombo (1987), in the form of Fader & Hardie's note "A Note
// on Deriving the Pareto/NBD Model and Related Expressions" (2005). While alive a customer buys at
// a Poisson rate λ ~ Gamma(r, α); their lifetime is exponential with rate μ ~ Gamma(s, β), so they
// can leave at any moment (BG/NBD only after a purchase). Units: α, β, t_x, T and t in the
// summary's time unit. r/α = mean purchase rate; s/β = mean dropout rate (per unit of time).
import { hyp2f1, lgamma, logAddExp } from '../numeric/special.ts';
import { checkRepeatSummary, type RepeatSummary } from '../customers/summary.ts';
import { withNumericalGradient } from '../numeric/optimize.ts';
import { compressSummary, fitOnLogScale, purchaseModelDiagnostics, type CompressedSummary, type ModelFit } from './fit.ts';

export interface ParetoNbdParams {
  readonly r: number;
  readonly alpha: number;
  readonly s: number;
  readonly beta: number;
}

export type ParetoNbdFit = ModelFit<'pareto-nbd', ParetoNbdParams>;

/**
 * Maximum-likelihood fit on log-parameters: BFGS with central-difference gradients (the analytic
 * gradient would need ₂F₁'s derivatives in its parameters), Nelder-Mead as fallback.
 */
export function fitParetoNbd(data: RepeatSummary, options: { penalizer?: number } = {}): ParetoNbdFit {
  const penalizer = options.penalizer ?? 0;
  checkRepeatSummary(data);
  const rows = compressSummary(data);
  let sumX = 0;
  let sumT = 0;
  for (let i = 0; i < rows.weight.length; i++) {
    sumX += rows.weight[i]! * rows.frequency[i]!;
    sumT += rows.weight[i]! * rows.T[i]!;
  }
  const scale = sumX > 0 && sumT > 0 ? sumT / sumX : 1;
  // Start with r = s = 1 and both mean rates at the data's mean purchase rate.
  const value = (theta: Float64Array): number => meanNegativeLogLikelihood(rows, theta, penalizer);
  const fit = fitOnLogScale(withNumericalGradient(value), [0, Math.log(scale), 0, Math.log(scale)], ['r', 'alpha', 's', 'beta'], {
    gradientTolerance: 1e-7,
  });
  const [r, alpha, s, beta] = fit.params as [number, number, number, number];
  // Expected dropouts per customer over the longest observed tenure, at the mean dropout rate s/β.
  let longest = 0;
  for (const t of rows.T) longest = Math.max(longest, t);
  const dropouts = (s / beta) * longest;
  const diagnostics = purchaseModelDiagnostics(
    fit,
    rows,
    penalizer,
    sumX,
    dropouts,
    `the mean dropout rate s/β = ${(s / beta).toExponential(2)} per ${data.unit.slice(0, -1)} ran to zero: the data show no sign of customers leaving, so P(alive) ≈ 1 for everyone`,
  );
  return Object.freeze({
    model: 'pareto-nbd' as const,
    unit: data.unit,
    params: Object.freeze({ r, alpha, s, beta }),
    logLikelihood: -meanNegativeLogLikelihood(rows, fit.theta, 0) * rows.totalWeight,
    iterations: fit.iterations,
    converged: fit.converged,
    diagnostics,
  });
}

/** Sum of the customers' log-likelihoods at given parameters. */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, data: RepeatSummary): number {
  checkRepeatSummary(data);
  const rows = compressSummary(data);
  const theta = Float64Array.of(Math.log(params.r), Math.log(params.alpha), Math.log(params.s), Math.log(params.beta));
  return -meanNegativeLogLikelihood(rows, theta, 0) * rows.totalWeight;
}

function meanNegativeLogLikelihood(rows: CompressedSummary, theta: Float64Array, penalizer: number): number {
  const [r, alpha, s, beta] = Array.from(theta, Math.exp) as [number, number, number, number];
  if (!(r > 0 && alpha > 0 && s > 0 && beta > 0) || !Number.isFinite(r + alpha + s + beta)) return Number.POSITIVE_INFINITY;
  const p = { r, alpha, s, beta };
  const lgr = lgamma(r);
  let ll = 0;
  for (let i = 0; i < rows.weight.length; i++) {
    const x = rows.frequency[i]!;
    const head = lgamma(r + x) - lgr + r * theta[1]! + s * theta[3]!;
    const { logAliveTerm, logDeadTerm } = likelihoodTerms(p, x, rows.recency[i]!, rows.T[i]!);
    ll += rows.weight[i]! * (head + logAddExp(logAliveTerm, logDeadTerm));
  }
  return -ll / rows.totalWeight + penalizer * (r * r + alpha * alpha + s * s + beta * beta);
}

/**
 * The two parts of L / [Γ(r+x) α^r β^s / Γ(r)] (Fader & Hardie 2005, eq. 19), in logs:
 *   alive at T:       (α+T)^−(r+x) (β+T)^−s
 *   left in (t_x, T]: s ∫_{t_x}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ = s/(r+s+x) · A₀.
 * A₀ is a difference of two ₂F₁ terms (eqs. 20–21), with the branch on α ≥ β keeping the argument
 * z in [0, 1). As z → 1 (one rate parameter ≫ the other, e.g. β → ∞ when nobody leaves) the series
 * needs ~40/(1 − z) terms, so beyond z = 0.95 the integral is computed by quadrature instead.
 */
function likelihoodTerms(p: ParetoNbdParams, x: number, tx: number, T: number): { logAliveTerm: number; logDeadTerm: number } {
  const { r, alpha, s, beta } = p;
  const logAliveTerm = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  if (!(T > tx)) return { logAliveTerm, logDeadTerm: Number.NEGATIVE_INFINITY };
  const rsx = r + s + x;
  const [base, gap, b] = alpha >= beta ? [alpha, alpha - beta, s + 1] : [beta, beta - alpha, r + x];
  if (gap / (base + tx) > SERIES_LIMIT) {
    return { logAliveTerm, logDeadTerm: Math.log(s) + logIntegralOfPowers(r + x, alpha, s + 1, beta, tx, T) };
  }
  const logTerm = (u: number): number => Math.log(hyp2f1(rsx, b, rsx + 1, gap / u)) - rsx * Math.log(u);
  const upper = logTerm(base + tx);
  const lower = logTerm(base + T);
  const logA0 = upper > lower ? upper + Math.log(-Math.expm1(lower - upper)) : Number.NEGATIVE_INFINITY;
  return { logAliveTerm, logDeadTerm: Math.log(s / rsx) + logA0 };
}

const SERIES_LIMIT = 0.95;

/** 8-point Gauss-Legendre nodes and weights on [−1, 1] (positive half). */
const GL_NODES = [0.1834346424956498, 0.525532409916329, 0.7966664774136267, 0.9602898564975363];
const GL_WEIGHTS = [0.362683783378362, 0.3137066458778873, 0.2223810344533745, 0.1012285362903763];

/**
 * ln ∫_{lo}^{hi} (A+τ)^−p (B+τ)^−q dτ by Gauss-Legendre in σ = ln(m + τ), m = min(A, B). There the
 * log-integrand g(σ) = σ − p ln(e^σ + A − m) − q ln(e^σ + B − m) is concave with |g'| ≤ K =
 * max(1, p + q − 1), so pieces of width 3/K vary by at most e^3 (8 nodes are then exact to ~1e-15),
 * and once g has fallen 40 below its running maximum while decreasing the rest is negligible.
 * The nodes depend smoothly on the parameters, so numerical gradients stay clean.
 */
function logIntegralOfPowers(p: number, A: number, q: number, B: number, lo: number, hi: number): number {
  const m = Math.min(A, B);
  const dA = A - m;
  const dB = B - m;
  const g = (sigma: number): number => {
    const e = Math.exp(sigma);
    return sigma - p * Math.log(e + dA) - q * Math.log(e + dB);
  };
  const K = Math.max(1, p + q - 1);
  const end = Math.log(m + hi);
  let start = Math.log(m + lo);
  let best = Number.NEGATIVE_INFINITY;
  let total = Number.NEGATIVE_INFINITY;
  const values = new Float64Array(8);
  while (start < end) {
    const width = Math.min(3 / K, end - start);
    const mid = start + width / 2;
    const half = width / 2;
    let pieceMax = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < 4; j++) {
      values[2 * j] = g(mid - half * GL_NODES[j]!);
      values[2 * j + 1] = g(mid + half * GL_NODES[j]!);
      pieceMax = Math.max(pieceMax, values[2 * j]!, values[2 * j + 1]!);
    }
    let sum = 0;
    for (let j = 0; j < 4; j++) sum += GL_WEIGHTS[j]! * (Math.exp(values[2 * j]! - pieceMax) + Math.exp(values[2 * j + 1]! - pieceMax));
    total = logAddExp(total, pieceMax + Math.log(sum * half));
    best = Math.max(best, pieceMax);
    start += width;
    const here = g(start);
    if (here < best - 40 && g(start + 1e-6) < here) break;
  }
  return total;
}

/** P(alive | x, t_x, T) (Fader & Hardie 2005, eq. 18): the alive part's share of the likelihood. */
export function paretoProbabilityAlive(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  const { logAliveTerm, logDeadTerm } = likelihoodTerms(params, x, tx, T);
  return Math.exp(logAliveTerm - logAddExp(logAliveTerm, logDeadTerm));
}

/**
 * E[Y(t) | x, t_x, T] (Fader & Hardie 2005, eq. 22): expected purchases in the next t units,
 * (r+x)(β+T)/((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^(s−1)] · P(alive), with its s = 1 limit.
 */
export function paretoExpectedPurchases(params: ParetoNbdParams, t: number, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = params;
  return ((r + x) * (beta + T)) / (alpha + T) * lifetimeFactor(s, beta + T, t) * paretoProbabilityAlive(params, x, tx, T);
}

/** E[X(t)] (Schmittlein et al. 1987): expected purchases in (0, t] of a customer acquired at 0. */
export function paretoExpectedPurchasesUnconditional(params: ParetoNbdParams, t: number): number {
  const { r, alpha, s, beta } = params;
  return ((r * beta) / alpha) * lifetimeFactor(s, beta, t);
}

/** [1 − (B/(B+t))^(s−1)] / (s − 1), → ln(1 + t/B) at s = 1. */
function lifetimeFactor(s: number, B: number, t: number): number {
  const logRatio = -Math.log1p(t / B);
  return Math.abs(s - 1) < 1e-12 ? -logRatio : -Math.expm1((s - 1) * logRatio) / (s - 1);
}
