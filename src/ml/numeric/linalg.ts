// Heavy arithmetic for the models. Big matrix products go through TensorFlow.js (wasm: ~28
// GFLOP/s here, against ~1 GFLOP/s for plain loops), except the SPD inverse's (EASE's n^3 step),
// which run in place in gemm.ts; small k x k solves and sparse sums stay in plain loops, where the
// cost of crossing into tfjs would dominate. Callers must have awaited initTf() (src/ml/tf.ts) first.
import { tf } from './tf.ts';
import { defineKernel, runParallel, sharedFloat32, splitRange, threadCount } from './threads.ts';

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

/** Rows per partial product of gramOfRows: the result does not depend on the thread count. */
const GRAM_BLOCK_ROWS = 65_536;

/**
 * Y^T Y for Y with `rows` rows of k values: the k x k Gram matrix. Tall matrices are summed by
 * blocks of rows in a fixed order (the blocks spread over the threads when y is on shared memory),
 * so the result is the same whatever the thread count.
 */
export function gramOfRows(y: Float32Array, rows: number, k: number): Float32Array {
  const blocks = Math.ceil(rows / GRAM_BLOCK_ROWS);
  if (blocks <= 1) return matMul(transposed(y, rows, k), [k, rows], y, [rows, k]);
  const threads = y.buffer instanceof SharedArrayBuffer ? Math.min(threadCount(), blocks) : 1;
  const partial = threads > 1 ? sharedFloat32(blocks * k * k) : new Float32Array(blocks * k * k);
  const cuts = splitRange(blocks, threads);
  runParallel(gramBlocks, Array.from({ length: threads }, (_, t) => ({ y, rows, k, partial, from: cuts[t]!, to: cuts[t + 1]! })));
  const sum = new Float64Array(k * k);
  for (let b = 0; b < blocks; b++) for (let i = 0; i < k * k; i++) sum[i]! += partial[b * k * k + i]!;
  return Float32Array.from(sum);
}

/** Blocks [from, to) of gramOfRows, each Y_b^T Y_b into its k x k slot of `partial`. */
export const gramBlocks = defineKernel(import.meta.url, 'gramBlocks', (s: { y: Float32Array; rows: number; k: number; partial: Float32Array; from: number; to: number }) => {
  const { y, rows, k, partial } = s;
  for (let b = s.from; b < s.to; b++) {
    const first = b * GRAM_BLOCK_ROWS;
    const n = Math.min(GRAM_BLOCK_ROWS, rows - first);
    const block = y.subarray(first * k, (first + n) * k);
    partial.set(matMul(transposed(block, n, k), [k, n], block, [n, k]), b * k * k);
  }
});

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
 * Copies the upper triangle of a (n x n, row-major) into the lower one, over `threads` threads
 * (a must be on shared memory when threads > 1).
 */
export function fillLowerTriangle(a: Float32Array, n: number, threads: number): void {
  const rows = splitRange(n, threads, (r) => r);
  runParallel(fillLowerRows, Array.from({ length: threads }, (_, t) => ({ a, n, from: rows[t]!, to: rows[t + 1]! })));
}

/** Rows [from, to) of fillLowerTriangle. */
export const fillLowerRows = defineKernel(import.meta.url, 'fillLowerRows', (s: { a: Float32Array; n: number; from: number; to: number }) => {
  const { a, n } = s;
  for (let r = s.from; r < s.to; r++) for (let c = 0; c < r; c++) a[r * n + c] = a[c * n + r]!;
});
