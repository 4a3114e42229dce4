// Gamma-Gamma spend model, Fader, Hardie & Lee (2005b), "RFM and CLV: Using Iso-Value Curves for
// Customer Base Analysis", JMR 42(4), and Fader & Hardie's note "The Gamma-Gamma Model of Monetary
// Value" (2013). Each transaction's value z ~ Gamma(p, ν); across customers ν ~ Gamma(q, γ).
//   p — shape of one customer's transaction values (higher = steadier spend);
//   q, γ (here `v`) — spread of customers' typical spend: mean spend E[Z] = p·γ/(q − 1), for q > 1.
// Fitted on repeat customers only, with m_x = mean value of their x repeat transactions (z̄).
import { ValidationError } from '../../errors.ts';
import { digamma, lgamma } from '../numeric/special.ts';
import { checkRepeatSummary, type RepeatSummary } from '../customers/summary.ts';
import type { Objective } from '../numeric/optimize.ts';
import { compressSummary, fitOnLogScale, type CompressedSummary, type FitDiagnostics, type ModelFit } from './fit.ts';

export interface GammaGammaParams {
  readonly p: number;
  readonly q: number;
  /** γ in the papers (lifetimes calls it v), in money units. */
  readonly v: number;
}

export type GammaGammaFit = ModelFit<'gamma-gamma', GammaGammaParams>;

/**
 * Maximum-likelihood fit on the customers with frequency > 0 (the others carry no spend
 * information). Needs at least one repeat customer; optional L2 penalizer as in BG/NBD.
 */
export function fitGammaGamma(data: RepeatSummary, options: { penalizer?: number } = {}): GammaGammaFit {
  const penalizer = options.penalizer ?? 0;
  checkRepeatSummary(data, { monetary: true });
  const rows = repeaters(compressSummary(data, true));
  if (rows.weight.length === 0) throw new ValidationError('no repeat customers (frequency > 0): Gamma-Gamma needs repeat transactions');
  let meanSpend = 0;
  for (let i = 0; i < rows.weight.length; i++) meanSpend += (rows.weight[i]! * rows.monetary[i]!) / rows.totalWeight;
  // Start at p = 1, q = 2, where the mean spend p·γ/(q − 1) equals the data's.
  const fit = fitOnLogScale(gammaGammaObjective(rows, penalizer), [0, Math.LN2, Math.log(meanSpend)], ['p', 'q', 'v']);
  const [p, q, v] = fit.params as [number, number, number];
  const logLikelihood = -gammaGammaObjective(rows, 0)(fit.theta, new Float64Array(3)) * rows.totalWeight;
  const diagnostics: FitDiagnostics = Object.freeze({
    ...fit.diagnostics,
    boundary: Object.freeze([...fit.diagnostics.boundary]),
    penalizer,
    customers: rows.totalWeight,
    distinctRows: rows.weight.length,
    ...(q <= 1 ? { message: `q = ${q.toPrecision(4)} ≤ 1: the population's mean spend is infinite, so new customers' expected spend is undefined` } : {}),
  });
  return Object.freeze({
    model: 'gamma-gamma' as const,
    unit: data.unit,
    params: Object.freeze({ p, q, v }),
    logLikelihood,
    iterations: fit.iterations,
    converged: fit.converged,
    diagnostics,
  });
}

/**
 * E[M | p, q, γ, m_x, x] = (γ + m_x·x)·p / (p·x + q − 1): a weighted average of the population mean
 * p·γ/(q − 1) and the customer's own mean m_x, the weight on m_x growing with x. For x = 0 it is the
 * population mean (Infinity when q ≤ 1).
 */
export function expectedAverageValue(params: GammaGammaParams, x: number, monetary: number): number {
  const { p, q, v } = params;
  const denominator = p * x + q - 1;
  if (!(denominator > 0)) return Number.POSITIVE_INFINITY;
  return ((v + monetary * x) * p) / denominator;
}

/**
 * ln L = ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m_x + px ln x − (px+q) ln(γ + m_x x)
 * (Fader & Hardie 2013, eq. 5), as mean negative log-likelihood over θ = ln(p, q, γ) with gradient.
 */
function gammaGammaObjective(rows: SpendRows, penalizer: number): Objective {
  const { frequency: xs, monetary: ms, weight, totalWeight } = rows;
  return (theta, grad) => {
    const p = Math.exp(theta[0]!);
    const q = Math.exp(theta[1]!);
    const v = Math.exp(theta[2]!);
    if (!(p > 0 && q > 0 && v > 0 && Number.isFinite(p + q + v))) return Number.POSITIVE_INFINITY;
    const lgammaQ = lgamma(q);
    const psiQ = digamma(q);
    const logV = theta[2]!;
    let ll = 0;
    let gp = 0;
    let gq = 0;
    let gv = 0;
    for (let i = 0; i < weight.length; i++) {
      const w = weight[i]!;
      const x = xs[i]!;
      const m = ms[i]!;
      const px = p * x;
      const logM = Math.log(m);
      const vm = v + m * x;
      const logVm = Math.log(vm);
      const psiPxQ = digamma(px + q);
      ll += w * (lgamma(px + q) - lgamma(px) - lgammaQ + q * logV + (px - 1) * logM + px * Math.log(x) - (px + q) * logVm);
      gp += w * x * (psiPxQ - digamma(px) + logM + Math.log(x) - logVm);
      gq += w * (psiPxQ - psiQ + logV - logVm);
      gv += w * (q / v - (px + q) / vm);
    }
    grad[0] = (-gp / totalWeight + 2 * penalizer * p) * p;
    grad[1] = (-gq / totalWeight + 2 * penalizer * q) * q;
    grad[2] = (-gv / totalWeight + 2 * penalizer * v) * v;
    return -ll / totalWeight + penalizer * (p * p + q * q + v * v);
  };
}

type SpendRows = Pick<CompressedSummary, 'frequency' | 'monetary' | 'weight' | 'totalWeight'>;

/** The rows with x > 0. */
function repeaters(rows: CompressedSummary): SpendRows {
  const keep: number[] = [];
  for (let i = 0; i < rows.weight.length; i++) if (rows.frequency[i]! > 0) keep.push(i);
  const pick = (a: Float64Array): Float64Array => Float64Array.from(keep, (i) => a[i]!);
  const weight = pick(rows.weight);
  let totalWeight = 0;
  for (const w of weight) totalWeight += w;
  return { frequency: pick(rows.frequency), monetary: pick(rows.monetary), weight, totalWeight };
}
