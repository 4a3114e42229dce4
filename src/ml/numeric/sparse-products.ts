// Products of the sparse purchase matrix with itself and with dense matrices, in plain loops (the
// sparse structure is what makes them cheap; tfjs has no use for it), split over the threads of
// threads.ts by output rows so that no two threads write the same cell.
import type { Csr } from '../cf/sparse.ts';
import { fillLowerTriangle } from './linalg.ts';
import { defineKernel, runParallel, shared, sharedFloat32, splitRange, threadCount } from './threads.ts';

/** A Csr's arrays as kernels receive them (on shared memory when several threads read them). */
interface CsrArrays {
  rows: number;
  cols: number;
  rowPtr: Int32Array;
  colIdx: Int32Array;
  values: Float32Array;
}

interface Range {
  from: number;
  to: number;
}

function sharedCsr(x: Csr): CsrArrays {
  return { rows: x.rows, cols: x.cols, rowPtr: shared(x.rowPtr), colIdx: shared(x.colIdx), values: shared(x.values) };
}

/** Threads worth using for `work` multiply-adds (a worker's share below ~2M costs more than it saves). */
function threadsFor(work: number, units: number): number {
  return Math.max(1, Math.min(threadCount(), units, Math.floor(work / 2e6)));
}

/**
 * X^T X of a sparse matrix as a dense cols x cols array (row-major, on shared memory), accumulated
 * row by row. Column indices ascend within a row, so each pair is added once to the upper triangle
 * and the lower one is mirrored at the end (half the work of the full outer products). Threads
 * take contiguous ranges of output rows of about equal work.
 */
export function sparseGram(x: Csr): Float32Array {
  const n = x.cols;
  // output row i receives, from every customer who has item i, their entries after it
  const work = new Float64Array(n);
  for (let r = 0; r < x.rows; r++) {
    const to = x.rowPtr[r + 1]!;
    for (let e = x.rowPtr[r]!; e < to; e++) work[x.colIdx[e]!]! += to - e;
  }
  const threads = threadsFor(work.reduce((a, b) => a + b, 0), n);
  const g = sharedFloat32(n * n);
  const m = threads > 1 ? sharedCsr(x) : x;
  const rows = splitRange(n, threads, (i) => work[i]!);
  runParallel(gramUpperRows, Array.from({ length: threads }, (_, t) => ({ x: m, g, from: rows[t]!, to: rows[t + 1]! })));
  fillLowerTriangle(g, n, threads);
  return g;
}

/** Upper-triangle rows [from, to) of X^T X. */
export const gramUpperRows = defineKernel(import.meta.url, 'gramUpperRows', (s: { x: CsrArrays; g: Float32Array } & Range) => {
  const { x, g, from, to } = s;
  const n = x.cols;
  const { rowPtr, colIdx, values } = x;
  for (let r = 0; r < x.rows; r++) {
    const end = rowPtr[r + 1]!;
    for (let a = rowPtr[r]!; a < end; a++) {
      const i = colIdx[a]!;
      if (i < from) continue;
      if (i >= to) break;
      const vi = values[a]!;
      const base = i * n;
      for (let b = a; b < end; b++) g[base + colIdx[b]!]! += vi * values[b]!;
    }
  }
});

/** Rows of S that sandwichStrips sums together (8 accumulators stay in registers). */
const STRIP = 8;

/**
 * S diag(scale) for the symmetric S = X^T K X (K symmetric, k x k; X sparse, k x n, given by its
 * columns as the CSR of X^T, `xt`): a dense n x n array on shared memory. With T = X^T K, cell
 * (r, c) of S gathers T's row r at column c's entries. T is never stored whole: each strip of 8 of
 * its rows is summed from K's rows (8 k values, in cache) and then gathered for every column,
 * which loads each entry's index once for 8 cells: ~2.5x faster than one row at a time, and ~3x
 * faster than scattering X's rows into the output (that streams K X through memory once per
 * entry). Only the upper triangle is summed; each strip also writes its mirror image, scaled by
 * its own rows' factors (bench/recommender/README.md). Threads take ranges of strips of about
 * equal work.
 */
export function sparseSandwich(k: Float32Array, xt: Csr, scale: Float32Array): Float32Array {
  const n = xt.rows;
  const strips = Math.ceil(n / STRIP);
  const threads = threadsFor((n * xt.colIdx.length) / 2, strips);
  const out = sharedFloat32(n * n);
  const m = threads > 1 ? sharedCsr(xt) : xt;
  const dense = threads > 1 ? shared(k) : k;
  const factors = threads > 1 ? shared(scale) : scale;
  const split = splitRange(strips, threads, (s) => n - s * STRIP);
  runParallel(sandwichStrips, Array.from({ length: threads }, (_, p) => ({ k: dense, xt: m, scale: factors, out, from: split[p]!, to: split[p + 1]! })));
  return out;
}

/**
 * Strips [from, to) of sparseSandwich: rows r0..r0+7 of T, then of S for columns c >= r0, and
 * (for columns right of the strip) the same values into column block r0..r0+7 of rows c. A last
 * strip of fewer than 8 rows is summed row by row; no mirror is left to write there.
 */
export const sandwichStrips = defineKernel(
  import.meta.url,
  'sandwichStrips',
  (s: { k: Float32Array; xt: CsrArrays; scale: Float32Array; out: Float32Array } & Range) => {
    const { xt, scale, out } = s;
    const { rowPtr, colIdx, values } = xt;
    const k = xt.cols;
    const n = xt.rows;
    const kk = s.k;
    const t = new Float64Array(STRIP * k);
    for (let strip = s.from; strip < s.to; strip++) {
      const r = strip * STRIP;
      // T's rows r.. of the strip: row i sums K's rows of item i's customers
      t.fill(0);
      for (let i = 0; i < STRIP && r + i < n; i++) {
        for (let e = rowPtr[r + i]!; e < rowPtr[r + i + 1]!; e++) {
          const v = values[e]!;
          const from = colIdx[e]! * k;
          for (let j = 0; j < k; j++) t[i * k + j]! += v * kk[from + j]!;
        }
      }
      if (r + STRIP > n) {
        for (let i = r; i < n; i++) {
          for (let c = r; c < n; c++) {
            let sum = 0;
            for (let e = rowPtr[c]!; e < rowPtr[c + 1]!; e++) sum += values[e]! * t[(i - r) * k + colIdx[e]!]!;
            out[i * n + c] = sum * scale[c]!;
          }
        }
        continue;
      }
      const f0 = scale[r]!, f1 = scale[r + 1]!, f2 = scale[r + 2]!, f3 = scale[r + 3]!;
      const f4 = scale[r + 4]!, f5 = scale[r + 5]!, f6 = scale[r + 6]!, f7 = scale[r + 7]!;
      let e = rowPtr[r]!;
      for (let c = r; c < n; c++) {
        const end = rowPtr[c + 1]!;
        let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (; e < end; e++) {
          const u = colIdx[e]!;
          const v = values[e]!;
          s0 += v * t[u]!;
          s1 += v * t[u + k]!;
          s2 += v * t[u + 2 * k]!;
          s3 += v * t[u + 3 * k]!;
          s4 += v * t[u + 4 * k]!;
          s5 += v * t[u + 5 * k]!;
          s6 += v * t[u + 6 * k]!;
          s7 += v * t[u + 7 * k]!;
        }
        const f = scale[c]!;
        const o = r * n + c;
        out[o] = s0 * f;
        out[o + n] = s1 * f;
        out[o + 2 * n] = s2 * f;
        out[o + 3 * n] = s3 * f;
        out[o + 4 * n] = s4 * f;
        out[o + 5 * n] = s5 * f;
        out[o + 6 * n] = s6 * f;
        out[o + 7 * n] = s7 * f;
        if (c >= r + STRIP) {
          const p = c * n + r;
          out[p] = s0 * f0;
          out[p + 1] = s1 * f1;
          out[p + 2] = s2 * f2;
          out[p + 3] = s3 * f3;
          out[p + 4] = s4 * f4;
          out[p + 5] = s5 * f5;
          out[p + 6] = s6 * f6;
          out[p + 7] = s7 * f7;
        }
      }
    }
  },
);
