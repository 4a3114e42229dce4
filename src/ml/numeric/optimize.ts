// Unconstrained minimisation for the small (2–4 parameter) likelihoods of customer-lifetime
// models: BFGS with a strong-Wolfe line search (Nocedal & Wright, Numerical Optimization, 2nd ed.,
// algorithms 6.1, 3.5 and 3.6), and Nelder-Mead as the fallback when gradients are unusable.
// Objectives return +Infinity (or NaN) outside their domain; both methods step back from it.

/** Value and gradient at x; the gradient is written into `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface MinimizeOptions {
  /** Stop when the largest gradient component is at most this. */
  gradientTolerance: number;
  /** Stop when an iteration improves f by less than this, relative to max(1, |f|), twice running. */
  valueTolerance: number;
  maxIterations: number;
}

export const DEFAULT_MINIMIZE_OPTIONS: MinimizeOptions = { gradientTolerance: 1e-9, valueTolerance: 1e-15, maxIterations: 400 };

export type StopReason = 'gradient' | 'value' | 'max-iterations' | 'line-search' | 'non-finite';

export interface MinimizeResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly gradient: Float64Array;
  readonly iterations: number;
  readonly evaluations: number;
  readonly converged: boolean;
  readonly reason: StopReason;
  readonly method: 'bfgs' | 'nelder-mead';
}

const C1 = 1e-4;
const C2 = 0.9;
/**
 * Near the optimum f changes less than its rounding error, so sufficient decrease is relaxed by
 * this much of |f| (Hager & Zhang's approximate Wolfe conditions) and the gradient steers alone.
 */
const F_ROUNDING = 1e-13;

export function bfgs(f: Objective, x0: Float64Array, options: Partial<MinimizeOptions> = {}): MinimizeResult {
  const opts = { ...DEFAULT_MINIMIZE_OPTIONS, ...options } satisfies MinimizeOptions;
  const n = x0.length;
  let x: Float64Array = Float64Array.from(x0);
  let g: Float64Array = new Float64Array(n);
  let evaluations = 1;
  let fx = f(x, g);
  if (!Number.isFinite(fx) || !allFinite(g)) return result(x, fx, g, 0, evaluations, false, 'non-finite', 'bfgs');
  // Inverse Hessian approximation, row-major; starts as identity and is rescaled after the first step.
  const H = identity(n);
  const p = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  let smallSteps = 0;
  let iterations = 0;
  for (; iterations < opts.maxIterations; iterations++) {
    if (maxAbs(g) <= opts.gradientTolerance) return result(x, fx, g, iterations, evaluations, true, 'gradient', 'bfgs');
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v -= H[i * n + j]! * g[j]!;
      p[i] = v;
    }
    let slope = dot(g, p);
    if (!(slope < 0)) {
      // Lost descent (rounding in H): restart from steepest descent.
      H.set(identity(n));
      for (let i = 0; i < n; i++) p[i] = -g[i]!;
      slope = dot(g, p);
    }
    const step = lineSearch(f, x, fx, g, p, slope);
    evaluations += step.evaluations;
    if (!step.ok) {
      // No further progress is measurable: a converged point if the gradient is already small.
      return result(x, fx, g, iterations, evaluations, maxAbs(g) <= Math.sqrt(opts.gradientTolerance), 'line-search', 'bfgs');
    }
    for (let i = 0; i < n; i++) {
      s[i] = step.x[i]! - x[i]!;
      y[i] = step.g[i]! - g[i]!;
    }
    const improvement = fx - step.f;
    x = step.x;
    g = step.g;
    fx = step.f;
    const sy = dot(s, y);
    if (sy > 1e-300) {
      if (iterations === 0) {
        const scale = sy / dot(y, y);
        for (let i = 0; i < n * n; i++) H[i] = H[i]! * scale;
      }
      updateInverseHessian(H, s, y, sy);
    }
    smallSteps = improvement <= opts.valueTolerance * Math.max(1, Math.abs(fx)) ? smallSteps + 1 : 0;
    if (smallSteps >= 2) return result(x, fx, g, iterations + 1, evaluations, true, 'value', 'bfgs');
  }
  return result(x, fx, g, iterations, evaluations, maxAbs(g) <= opts.gradientTolerance, 'max-iterations', 'bfgs');
}

/** H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ with ρ = 1 / (sᵀy). */
function updateInverseHessian(H: Float64Array, s: Float64Array, y: Float64Array, sy: number): void {
  const n = s.length;
  const rho = 1 / sy;
  const Hy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < n; j++) v += H[i * n + j]! * y[j]!;
    Hy[i] = v;
  }
  const yHy = dot(y, Hy);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      H[i * n + j] = H[i * n + j]! - rho * (Hy[i]! * s[j]! + s[i]! * Hy[j]!) + (rho * rho * yHy + rho) * s[i]! * s[j]!;
    }
  }
}

interface StepResult {
  ok: boolean;
  x: Float64Array;
  f: number;
  g: Float64Array;
  evaluations: number;
}

/** Strong-Wolfe line search along p from x (Nocedal & Wright algorithm 3.5 with zoom 3.6). */
function lineSearch(f: Objective, x: Float64Array, f0: number, g0: Float64Array, p: Float64Array, slope0: number): StepResult {
  const n = x.length;
  let evaluations = 0;
  const slack = F_ROUNDING * Math.abs(f0);
  const at = (alpha: number): { x: Float64Array; f: number; g: Float64Array; slope: number } => {
    const xt = new Float64Array(n);
    for (let i = 0; i < n; i++) xt[i] = x[i]! + alpha * p[i]!;
    const gt = new Float64Array(n);
    evaluations++;
    const ft = f(xt, gt);
    const finite = Number.isFinite(ft) && allFinite(gt);
    return { x: xt, f: finite ? ft : Number.POSITIVE_INFINITY, g: gt, slope: finite ? dot(gt, p) : Number.NaN };
  };
  const zoom = (lo: number, flo: number, slo: number, hi: number, fhi: number): StepResult => {
    for (let k = 0; k < 20; k++) {
      // Quadratic interpolation from lo's value and slope and hi's value, kept inside the bracket.
      const d = hi - lo;
      let alpha = Number.isFinite(fhi) ? lo - (slo * d * d) / (2 * (fhi - flo - slo * d)) : lo + 0.1 * d;
      const lower = Math.min(lo, hi) + 0.1 * Math.abs(d);
      const upper = Math.max(lo, hi) - 0.1 * Math.abs(d);
      if (!(alpha >= lower && alpha <= upper)) alpha = lo + 0.5 * d;
      const t = at(alpha);
      if (t.f > f0 + C1 * alpha * slope0 + slack || t.f >= flo + slack) {
        hi = alpha;
        fhi = t.f;
      } else {
        if (Math.abs(t.slope) <= -C2 * slope0) return { ok: true, x: t.x, f: t.f, g: t.g, evaluations };
        if (t.slope * (hi - lo) >= 0) {
          hi = lo;
          fhi = flo;
        }
        lo = alpha;
        flo = t.f;
        slo = t.slope;
      }
    }
    // Accept the best sufficient-decrease point found, if any.
    if (lo > 0) {
      const t = at(lo);
      return { ok: t.f <= f0 + slack, x: t.x, f: t.f, g: t.g, evaluations };
    }
    return { ok: false, x, f: f0, g: g0, evaluations };
  };
  let prev = 0;
  let fprev = f0;
  let sprev = slope0;
  let alpha = 1;
  for (let k = 0; k < 30; k++) {
    const t = at(alpha);
    if (t.f > f0 + C1 * alpha * slope0 + slack || (k > 0 && t.f >= fprev + slack)) return zoom(prev, fprev, sprev, alpha, t.f);
    if (Math.abs(t.slope) <= -C2 * slope0) return { ok: true, x: t.x, f: t.f, g: t.g, evaluations };
    if (t.slope >= 0) return zoom(alpha, t.f, t.slope, prev, fprev);
    prev = alpha;
    fprev = t.f;
    sprev = t.slope;
    alpha *= 2;
  }
  return { ok: false, x, f: f0, g: g0, evaluations };
}

/**
 * Nelder-Mead simplex (Lagarias et al. 1998 coefficients), for when the gradient is not finite.
 * `f` is called with a throwaway gradient buffer; only its value is used.
 */
export function nelderMead(f: Objective, x0: Float64Array, options: Partial<MinimizeOptions> = {}): MinimizeResult {
  const opts = { ...DEFAULT_MINIMIZE_OPTIONS, maxIterations: 4000, ...options } satisfies MinimizeOptions;
  const n = x0.length;
  const scratch = new Float64Array(n);
  let evaluations = 0;
  const value = (x: Float64Array): number => {
    evaluations++;
    const v = f(x, scratch);
    return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
  };
  const points: Float64Array[] = [Float64Array.from(x0)];
  for (let i = 0; i < n; i++) {
    const v = Float64Array.from(x0);
    v[i] = v[i]! + (Math.abs(v[i]!) > 1e-3 ? 0.1 * Math.abs(v[i]!) : 0.1);
    points.push(v);
  }
  let values = points.map(value);
  const combine = (c: Float64Array, w: Float64Array, t: number): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = c[i]! + t * (w[i]! - c[i]!);
    return out;
  };
  let iterations = 0;
  for (; iterations < opts.maxIterations; iterations++) {
    const order = values.map((_, i) => i).sort((i, j) => values[i]! - values[j]!);
    const sortedPoints = order.map((i) => points[i]!);
    values = order.map((i) => values[i]!);
    points.splice(0, points.length, ...sortedPoints);
    const best = values[0]!;
    const worst = values[n]!;
    if (Math.abs(worst - best) <= opts.valueTolerance * Math.max(1, Math.abs(best)) * 1e3 && spread(points) < 1e-10) break;
    const centroid = new Float64Array(n);
    for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) centroid[i] = centroid[i]! + points[k]![i]! / n;
    const reflected = combine(centroid, points[n]!, -1);
    const fr = value(reflected);
    if (fr < values[0]!) {
      const expanded = combine(centroid, points[n]!, -2);
      const fe = value(expanded);
      [points[n], values[n]] = fe < fr ? [expanded, fe] : [reflected, fr];
    } else if (fr < values[n - 1]!) {
      [points[n], values[n]] = [reflected, fr];
    } else {
      const outside = fr < values[n]!;
      const contracted = combine(centroid, points[n]!, outside ? -0.5 : 0.5);
      const fc = value(contracted);
      if (fc < (outside ? fr : values[n]!)) {
        [points[n], values[n]] = [contracted, fc];
      } else {
        for (let k = 1; k <= n; k++) {
          points[k] = combine(points[0]!, points[k]!, 0.5);
          values[k] = value(points[k]!);
        }
      }
    }
  }
  const bestIndex = values.indexOf(Math.min(...values));
  const x = points[bestIndex]!;
  const g = new Float64Array(n);
  const fx = f(x, g);
  evaluations++;
  const converged = iterations < opts.maxIterations && Number.isFinite(fx);
  return result(x, fx, g, iterations, evaluations, converged, converged ? 'value' : 'max-iterations', 'nelder-mead');
}

function spread(points: Float64Array[]): number {
  let m = 0;
  for (let k = 1; k < points.length; k++) {
    for (let i = 0; i < points[0]!.length; i++) m = Math.max(m, Math.abs(points[k]![i]! - points[0]![i]!));
  }
  return m;
}

function result(
  x: Float64Array,
  value: number,
  gradient: Float64Array,
  iterations: number,
  evaluations: number,
  converged: boolean,
  reason: StopReason,
  method: MinimizeResult['method'],
): MinimizeResult {
  return Object.freeze({ x, value, gradient, iterations, evaluations, converged, reason, method });
}

function identity(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

function allFinite(a: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
  return true;
}

/**
 * An Objective from a value-only function, with central-difference gradients (step h in each
 * coordinate; error O(h²)): for likelihoods whose analytic gradient is impractical.
 */
export function withNumericalGradient(value: (x: Float64Array) => number, h = 1e-5): Objective {
  return (x, grad) => {
    const fx = value(x);
    if (!Number.isFinite(fx)) return fx;
    const probe = Float64Array.from(x);
    for (let i = 0; i < x.length; i++) {
      probe[i] = x[i]! + h;
      const up = value(probe);
      probe[i] = x[i]! - h;
      const down = value(probe);
      probe[i] = x[i]!;
      grad[i] = (up - down) / (2 * h);
    }
    return fx;
  };
}
