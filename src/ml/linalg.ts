// Heavy arithmetic for the models. Dense O(n^3) work and big matrix products go through
// TensorFlow.js (wasm: ~28 GFLOP/s here, against ~1 GFLOP/s for plain loops); small k x k
// solves and sparse sums stay in plain loops, where the cost of crossing into tfjs would
// dominate. Callers must have awaited initTf() (src/ml/tf.ts) first.
import { tf } from './tf.ts';
import type { Csr } from './cf/sparse.ts';

/** out[r] = row r of `matrix` (rows x k, row-major) . vec. */
export function dotRows(matrix: Float32Array, k: number, vec: Float32Array, out: Float32Array): void {
  const rows = matrix.length / k;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const base = r * k;
    for (let j = 0; j < k; j++) s += matrix[base + j]! * vec[j]!;
    out[r] = s;
  }
}

/** C = A (m x n) . B (n x p), all row-major; optionally with A or B transposed as stored. */
export function matMul(a: Float32Array, aShape: [number, number], b: Float32Array, bShape: [number, number], transposeA = false, transposeB = false): Float32Array {
  return tf.tidy(() => tf.matMul(tf.tensor2d(a, aShape), tf.tensor2d(b, bShape), transposeA, transposeB).dataSync() as Float32Array);
}

/** Y^T Y for Y with `rows` rows of k values: the k x k Gram matrix. */
export function gramOfRows(y: Float32Array, rows: number, k: number): Float32Array {
  return matMul(y, [rows, k], y, [rows, k], true, false);
}

/** X^T X of a sparse matrix as a dense cols x cols array (row-major), accumulated row by row. */
export function sparseGram(x: Csr): Float32Array {
  const n = x.cols;
  const g = new Float32Array(n * n);
  for (let r = 0; r < x.rows; r++) {
    const from = x.rowPtr[r]!;
    const to = x.rowPtr[r + 1]!;
    for (let a = from; a < to; a++) {
      const i = x.colIdx[a]!;
      const vi = x.values[a]!;
      const base = i * n;
      for (let b = from; b < to; b++) g[base + x.colIdx[b]!]! += vi * x.values[b]!;
    }
  }
  return g;
}

/**
 * Solves A x = b in place for a small symmetric positive-definite A (k x k, row-major, Float64,
 * overwritten by its Cholesky factor); b is overwritten by x.
 */
export function choleskySolveInPlace(a: Float64Array, b: Float64Array | Float32Array, k: number): void {
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j]!;
    for (let p = 0; p < j; p++) d -= a[j * k + p]! ** 2;
    if (!(d > 0)) throw new RangeError('matrix is not positive definite');
    const ljj = Math.sqrt(d);
    a[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j]!;
      for (let p = 0; p < j; p++) s -= a[i * k + p]! * a[j * k + p]!;
      a[i * k + j] = s / ljj;
    }
  }
  for (let i = 0; i < k; i++) {
    let s = b[i]!;
    for (let p = 0; p < i; p++) s -= a[i * k + p]! * b[p]!;
    b[i] = s / a[i * k + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let s = b[i]!;
    for (let p = i + 1; p < k; p++) s -= a[p * k + i]! * b[p]!;
    b[i] = s / a[i * k + i]!;
  }
}
