// What the customer-lifetime models (BG/NBD, Pareto/NBD, Gamma-Gamma) share: grouping identical
// customers, maximum likelihood on log-parameters, and the immutable fit result with diagnostics.
import { DomainError } from '../errors.ts';
import { bfgs, nelderMead, type MinimizeResult, type Objective } from './optimize.ts';
import type { RepeatSummary, TimeUnit } from './rfm.ts';

export interface FitDiagnostics {
  readonly method: 'bfgs' | 'nelder-mead';
  /** Why the optimiser stopped: 'gradient' and 'value' are convergence, the rest are not. */
  readonly reason: MinimizeResult['reason'];
  /** Largest gradient component of the mean negative log-likelihood in log-parameters. */
  readonly gradientNorm: number;
  readonly evaluations: number;
  /** Parameters that ran to 0 or ∞ (e.g. 'dropout→0'); empty for an interior optimum. */
  readonly boundary: readonly string[];
  readonly penalizer: number;
  /** Customers fitted and distinct rows after grouping identical customers. */
  readonly customers: number;
  readonly distinctRows: number;
  /** Plain-language explanation when the fit needs one. */
  readonly message?: string;
}

export interface ModelFit<Kind extends string, Params> {
  readonly model: Kind;
  readonly unit: TimeUnit;
  readonly params: Params;
  /** Sum over customers of the log-likelihood (without penalty), in the fit's time unit. */
  readonly logLikelihood: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly diagnostics: FitDiagnostics;
}

/** Raised only when no finite likelihood could be reached at all; carries what was tried. */
export class ConvergenceError extends DomainError {
  constructor(
    message: string,
    readonly diagnostics: Record<string, unknown>,
  ) {
    super('convergence_failed', message);
  }
}

/** Distinct (x, t_x, T[, monetary]) rows with weights, and the distinct values of x. */
export interface CompressedSummary {
  readonly frequency: Float64Array;
  readonly recency: Float64Array;
  readonly T: Float64Array;
  readonly monetary: Float64Array;
  readonly weight: Float64Array;
  readonly totalWeight: number;
  readonly distinctX: Float64Array;
  /** Index into distinctX of each row. */
  readonly xIndex: Int32Array;
  /** Total weight of the rows with each distinct x. */
  readonly weightOfX: Float64Array;
}

/**
 * Groups identical customers so likelihoods cost one term per distinct row (exact: weights add up).
 * Spend is part of a row only with `withMonetary` (Gamma-Gamma); purchase models ignore it.
 */
export function compressSummary(data: RepeatSummary, withMonetary = false): CompressedSummary {
  const n = data.frequency.length;
  const monetary = withMonetary ? data.monetary : undefined;
  const rowOf = new Map<string, number>();
  const first: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    const key = `${data.frequency[i]},${data.recency[i]},${data.T[i]}${monetary ? `,${monetary[i]}` : ''}`;
    const w = data.weight ? data.weight[i]! : 1;
    const row = rowOf.get(key);
    if (row === undefined) {
      rowOf.set(key, first.length);
      first.push(i);
      weights.push(w);
    } else weights[row]! += w;
  }
  const m = first.length;
  const out = {
    frequency: new Float64Array(m),
    recency: new Float64Array(m),
    T: new Float64Array(m),
    monetary: new Float64Array(m),
    weight: Float64Array.from(weights),
  };
  const xSlot = new Map<number, number>();
  const xIndex = new Int32Array(m);
  const distinct: number[] = [];
  const weightOfX: number[] = [];
  let totalWeight = 0;
  for (let j = 0; j < m; j++) {
    const i = first[j]!;
    const x = data.frequency[i]!;
    out.frequency[j] = x;
    out.recency[j] = data.recency[i]!;
    out.T[j] = data.T[i]!;
    if (monetary) out.monetary[j] = monetary[i]!;
    let k = xSlot.get(x);
    if (k === undefined) {
      k = distinct.length;
      xSlot.set(x, k);
      distinct.push(x);
      weightOfX.push(0);
    }
    xIndex[j] = k;
    weightOfX[k]! += weights[j]!;
    totalWeight += weights[j]!;
  }
  return { ...out, totalWeight, distinctX: Float64Array.from(distinct), xIndex, weightOfX: Float64Array.from(weightOfX) };
}

/** |ln θ| beyond this reads as a parameter running to 0 or ∞ (e^25 ≈ 7·10^10). */
const LOG_BOUNDARY = 25;

export interface LogScaleFit {
  readonly theta: Float64Array;
  readonly params: number[];
  readonly iterations: number;
  readonly converged: boolean;
  readonly diagnostics: Omit<FitDiagnostics, 'penalizer' | 'customers' | 'distinctRows'>;
}

/**
 * Minimises a mean negative log-likelihood over θ = ln(parameters): BFGS first; Nelder-Mead from
 * the best point when BFGS ends without convergence or on a non-finite value; the better of the two
 * wins. Throws ConvergenceError only when neither reaches a finite value.
 */
export function fitOnLogScale(objective: Objective, theta0: number[], names: readonly string[]): LogScaleFit {
  const start = Float64Array.from(theta0);
  let best = bfgs(objective, start);
  if (!best.converged || !Number.isFinite(best.value)) {
    const from = Number.isFinite(best.value) ? best.x : start;
    const simplex = nelderMead(objective, from);
    if (!(best.value <= simplex.value)) {
      // Polish the simplex's point with BFGS: it may now be where gradients behave.
      const polished = bfgs(objective, simplex.x);
      best = polished.value <= simplex.value ? polished : simplex;
    }
  }
  if (!Number.isFinite(best.value)) {
    throw new ConvergenceError('no finite likelihood reached: the data cannot be fitted by this model', {
      start: theta0,
      reason: best.reason,
      method: best.method,
    });
  }
  const boundary: string[] = [];
  best.x.forEach((v, i) => {
    if (v < -LOG_BOUNDARY) boundary.push(`${names[i]}→0`);
    if (v > LOG_BOUNDARY) boundary.push(`${names[i]}→∞`);
  });
  let gradientNorm = 0;
  for (const g of best.gradient) gradientNorm = Math.max(gradientNorm, Math.abs(g));
  return {
    theta: best.x,
    params: Array.from(best.x, Math.exp),
    iterations: best.iterations,
    converged: best.converged,
    diagnostics: {
      method: best.method,
      reason: best.reason,
      gradientNorm,
      evaluations: best.evaluations,
      boundary,
      ...(best.converged ? {} : { message: `the optimiser stopped without converging (${best.reason})` }),
    },
  };
}
