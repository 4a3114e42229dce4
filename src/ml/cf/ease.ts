// EASE, "Embarrassingly Shallow Autoencoders for Sparse Data" (Steck 2019): a closed-form
// item x item model. With X the binary customer x item matrix and lambda the L2 penalty,
// P = (X^T X + lambda I)^-1 and B_ij = -P_ij / P_jj (B_jj = 0), eq. 8 of the paper; a customer's
// scores are x_u B, the sum of the rows of B of the items they bought.
//
// P can be had from either side. Items side: invert the n x n matrix X^T X + lambda I (n^3).
// Customers side, for catalogs wider than the customer count (Woodbury identity):
// P = (1/lambda)(I - X^T K X) with K = (lambda I + X X^T)^-1, an m x m inverse (m^3) plus the
// sparse product X^T K X in plain loops (m nnz multiply-adds for X^T K, n nnz / 2 for the upper
// triangle of the symmetric result). With S = X^T K X, B_ij = S_ij / (1 - S_jj) for i != j. Both
// sides give the same B up to rounding.
import { spdInverseInPlace } from '../numeric/spd-inverse.ts';
import { sparseGram, sparseSandwich } from '../numeric/sparse-products.ts';
import { defineKernel, prepareThreads, recycleShared, runParallel, shared, splitRange, threadCount } from '../numeric/threads.ts';
import { transpose, type Csr } from './sparse.ts';

export type EaseSide = 'items' | 'customers';

export interface EaseOptions {
  /** lambda: larger values shrink item-item weights (REFERENCE.md best on Online Retail: 500). */
  lambda: number;
  /** Which matrix to invert; by default the cheaper (easeSide). Both give the same model. */
  side?: EaseSide;
}

export const EASE_DEFAULTS: EaseOptions = { lambda: 500 };

/**
 * A multiply-add in the customers side's sparse loops costs about as much time as this many flops of
 * the dense inverse (gemm.ts, 25-35 GFLOP/s per thread): on seeded matrices of 15, 40 and 120 lines
 * per customer near the crossover, the faster side was the one this rule picks for any constant
 * between 34 and 48 (`npx tsx bench/recommender/ease-sides.ts`, bench/recommender/README.md). 20,
 * set when the inverse's products ran in tfjs, picked the slower side for four of them (10-55% slower).
 */
const SPARSE_COST = 40;

/** The cheaper side for m customers, n items and nnz purchases (see the header). */
export function easeSide(customers: number, items: number, entries: number): EaseSide {
  return customers ** 3 + SPARSE_COST * (customers + items) * entries < items ** 3 ? 'customers' : 'items';
}

/**
 * Bytes EASE needs for n items: B (n x n Float32) and the inverse's upper triangle by column
 * blocks. Given the customer and entry counts too, for the side easeSide picks: the customers
 * side holds B and the m x m inverse with its triangle.
 */
export function easeMemoryBytes(items: number, customers?: number, entries?: number): number {
  if (customers === undefined || entries === undefined || easeSide(customers, items, entries) === 'items') return items * items * 4 * 1.5;
  return 4 * (items * items + 1.5 * customers * customers);
}

/** Fits B for the customer x item matrix `x` (values taken as given; pass a binary matrix). */
export function fitEase(x: Csr, options: Partial<EaseOptions> = {}, onBlock?: (done: number, total: number) => void): Float32Array {
  const { lambda, side } = { ...EASE_DEFAULTS, ...options } satisfies EaseOptions;
  // the workers start while the Gram matrix is summed
  prepareThreads();
  return (side ?? easeSide(x.rows, x.cols, x.colIdx.length)) === 'items' ? itemsSide(x, lambda, onBlock) : customersSide(x, lambda, onBlock);
}

function itemsSide(x: Csr, lambda: number, onBlock?: (done: number, total: number) => void): Float32Array {
  const n = x.cols;
  const p = sparseGram(x);
  for (let i = 0; i < n; i++) p[i * n + i]! += lambda;
  spdInverseInPlace(p, n, 256, onBlock);
  // B = I - P diag(1/diag(P)): column j scaled by -1/P_jj, diagonal zero
  const scale = new Float32Array(n);
  for (let j = 0; j < n; j++) scale[j] = -1 / p[j * n + j]!;
  const threads = Math.min(threadCount(), Math.ceil(n / 256));
  const rows = splitRange(n, threads);
  const factors = threads > 1 ? shared(scale) : scale;
  runParallel(scaleColumns, Array.from({ length: threads }, (_, t) => ({ a: p, n, scale: factors, from: rows[t]!, to: rows[t + 1]! })));
  return p;
}

function customersSide(x: Csr, lambda: number, onBlock?: (done: number, total: number) => void): Float32Array {
  const m = x.rows;
  const n = x.cols;
  const byItem = transpose(x);
  const k = sparseGram(byItem);
  for (let u = 0; u < m; u++) k[u * m + u]! += lambda;
  spdInverseInPlace(k, m, 256, onBlock);
  // 1 - S_jj = 1 - x_j^T K x_j (= lambda P_jj), summed in Float64 over the pairs of item j's customers
  const scale = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let e = byItem.rowPtr[j]!; e < byItem.rowPtr[j + 1]!; e++) {
      const row = byItem.colIdx[e]! * m;
      for (let f = byItem.rowPtr[j]!; f < byItem.rowPtr[j + 1]!; f++) s += byItem.values[e]! * byItem.values[f]! * k[row + byItem.colIdx[f]!]!;
    }
    scale[j] = 1 / (1 - s);
  }
  const b = sparseSandwich(k, byItem, scale);
  recycleShared([k]);
  for (let i = 0; i < n; i++) b[i * n + i] = 0;
  return b;
}

/** Rows [from, to) of a (n x n): column j times scale[j], the diagonal zero. */
export const scaleColumns = defineKernel(import.meta.url, 'scaleColumns', (s: { a: Float32Array; n: number; scale: Float32Array; from: number; to: number }) => {
  const { a, n, scale } = s;
  for (let i = s.from; i < s.to; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) a[row + j]! *= scale[j]!;
    a[row + i] = 0;
  }
});
