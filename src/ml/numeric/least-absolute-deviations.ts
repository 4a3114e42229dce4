// Least absolute deviations (median regression) for a handful of predictors: argmin_w Σ |yᵢ − xᵢ·w|.
import { choleskySolveInPlace } from './linalg.ts';

/**
 * Unconstrained LAD by iteratively reweighted least squares (row weights 1 / max(|rᵢ|, δ), δ a
 * millionth of the mean |y|), started from ordinary least squares. `x` is row-major n × d.
 */
export function leastAbsoluteDeviations(x: Float64Array, y: Float64Array, d: number, iterations = 50): Float64Array {
  const n = y.length;
  if (x.length !== n * d) throw new RangeError(`expected ${n} × ${d} predictors, got ${x.length} values`);
  if (n === 0) throw new RangeError('no rows to fit on');
  let meanAbs = 0;
  for (let i = 0; i < n; i++) meanAbs += Math.abs(y[i]!) / n;
  const delta = Math.max(1e-6 * meanAbs, 1e-12);
  const rowWeight = new Float64Array(n).fill(1);
  let w = new Float64Array(d);
  for (let iter = 0; iter <= iterations; iter++) {
    const a = new Float64Array(d * d);
    const b = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const r = rowWeight[i]!;
      for (let j = 0; j < d; j++) {
        const xj = x[i * d + j]!;
        b[j]! += r * xj * y[i]!;
        for (let k = 0; k < d; k++) a[j * d + k]! += r * xj * x[i * d + k]!;
      }
    }
    // a tiny ridge, relative to each predictor's own scale, keeps the system solvable when a
    // predictor is all zeros
    for (let j = 0; j < d; j++) a[j * d + j] = a[j * d + j]! * (1 + 1e-9) + 1e-12;
    choleskySolveInPlace(a, b, d);
    w = b;
    for (let i = 0; i < n; i++) rowWeight[i] = 1 / Math.max(Math.abs(y[i]! - rowDot(x, i, d, w)), delta);
  }
  return w;
}

/** x[i]·w for row i of a row-major n × d matrix. */
export function rowDot(x: Float64Array, i: number, d: number, w: Float64Array): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += x[i * d + j]! * w[j]!;
  return s;
}
