// Heavy arithmetic for the models. Dense O(n^3) work and big matrix products go through
// TensorFlow.js (wasm: ~28 GFLOP/s here, against ~1 GFLOP/s for plain loops); small k x k
// solves and sparse sums stay in plain loops, where the cost of crossing into tfjs would
// dominate. Callers must have awaited initTf() (src/ml/tf.ts) first.
import { tf } from './tf.ts';
import type { Csr } from '../cf/sparse.ts';

/** out[r] = row r of `matrix` (rows x k, row-major) . vec, for every row or only the rows listed. */
export function dotRows(matrix: Float32Array, k: number, vec: Float32Array, out: Float32Array, only?: Int32Array): void {
  const rows = only ? only.length : matrix.length / k;
  for (let m = 0; m < rows; m++) {
    const r = only ? only[m]! : m;
    let s = 0;
    const base = r * k;
    for (let j = 0; j < k; j++) s += matrix[base + j]! * vec[j]!;
    out[r] = s;
  }
}

/**
 * Scores vectors against one fixed matrix (rows x k): out[r] = row r . vec. With `only`, just
 * those rows are written (in plain loops: for a few rows a call into tfjs costs more).
 */
export interface RowScorer {
  score(vec: Float32Array, out: Float32Array, only?: Int32Array): void;
  /** Frees the tfjs copy, if any. */
  dispose(): void;
}

/**
 * Keeps the matrix (transposed) inside tfjs when a fast backend is active and the matrix is big
 * enough to repay a call into tfjs: [1 x 64].[64 x 20,000] then took 0.17 ms against 2.5 ms in
 * a plain loop here (bench/recommender). Otherwise, plain loops.
 */
export function createRowScorer(matrix: Float32Array, k: number): RowScorer {
  const rows = matrix.length / k;
  const backend = tf.engine().backendName;
  if (matrix.length < 65_536 || (backend !== 'wasm' && backend !== 'tensorflow')) {
    return { score: (vec, out, only) => dotRows(matrix, k, vec, out, only), dispose: () => undefined };
  }
  const resident = tf.tensor2d(transposed(matrix, rows, k), [k, rows]);
  return {
    score(vec, out, only) {
      if (only) {
        dotRows(matrix, k, vec, out, only);
        return;
      }
      const product = tf.tidy(() => tf.matMul(tf.tensor2d(vec, [1, k]), resident));
      out.set(product.dataSync() as Float32Array);
      product.dispose();
    },
    dispose: () => resident.dispose(),
  };
}

/**
 * C = A (m x n) . B (n x p), all row-major. No transposed variants on purpose: tfjs-wasm multiplies
 * with a transposed operand ~10x slower than with an explicit transposed copy (measured here).
 */
export function matMul(a: Float32Array, aShape: [number, number], b: Float32Array, bShape: [number, number]): Float32Array {
  // tidy() would walk a returned typed array element by element, so read the result outside it
  const c = tf.tidy(() => tf.matMul(tf.tensor2d(a, aShape), tf.tensor2d(b, bShape)));
  const out = c.dataSync() as Float32Array;
  c.dispose();
  return out;
}

/** The transpose of a rows x cols row-major matrix. */
export function transposed(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}

/** Y^T Y for Y with `rows` rows of k values: the k x k Gram matrix. */
export function gramOfRows(y: Float32Array, rows: number, k: number): Float32Array {
  return matMul(transposed(y, rows, k), [k, rows], y, [rows, k]);
}

/**
 * X^T X of a sparse matrix as a dense cols x cols array (row-major), accumulated row by row.
 * Column indices ascend within a row, so each pair is added once to the upper triangle and the
 * lower one is mirrored at the end (half the work of the full outer products).
 */
export function sparseGram(x: Csr): Float32Array {
  const n = x.cols;
  const g = new Float32Array(n * n);
  for (let r = 0; r < x.rows; r++) {
    const from = x.rowPtr[r]!;
    const to = x.rowPtr[r + 1]!;
    for (let a = from; a < to; a++) {
      const vi = x.values[a]!;
      const base = x.colIdx[a]! * n;
      for (let b = a; b < to; b++) g[base + x.colIdx[b]!]! += vi * x.values[b]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) g[j * n + i] = g[i * n + j]!;
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

/**
 * Inverse of a symmetric positive-definite n x n matrix (row-major Float32, overwritten) by the
 * blocked sweep operator (Goodnight 1979): sweeping block K maps A_KK -> -A_KK^-1,
 * A_iK -> A_iK A_KK^-1 and A_ij -> A_ij - A_iK A_KK^-1 A_Kj; after all blocks A holds -A^-1.
 * Sweeping keeps the matrix symmetric, so only the upper triangle is updated (n^3 flops in all,
 * as tfjs matrix products of column blocks); the lower triangle is filled once at the end.
 */
export function spdInverseInPlace(a: Float32Array, n: number, block = 256, onBlock?: (done: number, total: number) => void): void {
  const blocks = Math.ceil(n / block);
  for (let b = 0; b < blocks; b++) {
    const k0 = b * block;
    const nb = Math.min(block, n - k0);
    // column panel C = A[:, K], read from the upper triangle
    const panel = new Float32Array(n * nb);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < nb; c++) panel[r * nb + c] = r <= k0 + c ? a[r * n + k0 + c]! : a[(k0 + c) * n + r]!;
    }
    const d = smallSpdInverse(panel.subarray(k0 * nb, (k0 + nb) * nb), nb);
    const m = matMul(panel, [n, nb], d, [nb, nb]);
    for (let c0 = 0; c0 < n; c0 += block) {
      const cols = Math.min(block, n - c0);
      const rows = c0 + cols;
      // upper-triangle column block [0, rows) x [c0, c0 + cols): C_rows (M_cols)^T
      const t = matMul(panel.subarray(0, rows * nb), [rows, nb], transposed(m.subarray(c0 * nb, rows * nb), cols, nb), [nb, cols]);
      for (let j = 0; j < rows; j++) {
        const row = j * n + c0;
        const first = Math.max(0, j - c0);
        for (let c = first; c < cols; c++) a[row + c]! -= t[j * cols + c]!;
      }
    }
    // block K's row and column become M (A_iK A_KK^-1), and A_KK becomes -A_KK^-1
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < nb; c++) {
        const col = k0 + c;
        if (r >= k0 && r < k0 + nb) {
          if (col >= r) a[r * n + col] = -d[(r - k0) * nb + c]!;
        } else if (r < col) a[r * n + col] = m[r * nb + c]!;
        else a[col * n + r] = m[r * nb + c]!;
      }
    }
    onBlock?.(b + 1, blocks);
  }
  for (let r = 0; r < n; r++) {
    a[r * n + r] = -a[r * n + r]!;
    for (let c = r + 1; c < n; c++) {
      const v = -a[r * n + c]!;
      a[r * n + c] = v;
      a[c * n + r] = v;
    }
  }
}

/** Inverse of a small SPD block via Cholesky in Float64 (A = L L^T, A^-1 = L^-T L^-1). */
function smallSpdInverse(block: Float32Array, nb: number): Float32Array {
  const l = Float64Array.from(block);
  for (let j = 0; j < nb; j++) {
    let s = l[j * nb + j]!;
    for (let p = 0; p < j; p++) s -= l[j * nb + p]! ** 2;
    if (!(s > 0)) throw new RangeError('matrix is not positive definite');
    const ljj = Math.sqrt(s);
    l[j * nb + j] = ljj;
    for (let i = j + 1; i < nb; i++) {
      let t = l[i * nb + j]!;
      for (let p = 0; p < j; p++) t -= l[i * nb + p]! * l[j * nb + p]!;
      l[i * nb + j] = t / ljj;
    }
  }
  // W = L^-1 (lower), then A^-1 = W^T W
  const w = new Float64Array(nb * nb);
  for (let j = 0; j < nb; j++) {
    w[j * nb + j] = 1 / l[j * nb + j]!;
    for (let i = j + 1; i < nb; i++) {
      let s = 0;
      for (let p = j; p < i; p++) s -= l[i * nb + p]! * w[p * nb + j]!;
      w[i * nb + j] = s / l[i * nb + i]!;
    }
  }
  const inv = new Float32Array(nb * nb);
  for (let i = 0; i < nb; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let p = i; p < nb; p++) s += w[p * nb + i]! * w[p * nb + j]!;
      inv[i * nb + j] = s;
      inv[j * nb + i] = s;
    }
  }
  return inv;
}
