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
  fillLowerTriangle(g, n, 1, threads);
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

/**
 * D X for a dense symmetric D (rows x rows, row-major) and a sparse X (rows x cols): a dense
 * rows x cols array on shared memory. Row u of the result is sum_v D_uv X_v, so each thread
 * scatters whole sparse rows of X into its own rows of the result.
 */
export function denseTimesSparse(d: Float32Array, x: Csr): Float32Array {
  const threads = threadsFor(x.rows * x.colIdx.length, x.rows);
  const out = sharedFloat32(x.rows * x.cols);
  const m = threads > 1 ? sharedCsr(x) : x;
  const dense = threads > 1 ? shared(d) : d;
  const rows = splitRange(x.rows, threads);
  runParallel(denseTimesSparseRows, Array.from({ length: threads }, (_, t) => ({ d: dense, x: m, out, from: rows[t]!, to: rows[t + 1]! })));
  return out;
}

/** Rows [from, to) of denseTimesSparse. */
export const denseTimesSparseRows = defineKernel(import.meta.url, 'denseTimesSparseRows', (s: { d: Float32Array; x: CsrArrays; out: Float32Array } & Range) => {
  const { d, x, out } = s;
  const { rowPtr, colIdx, values } = x;
  const m = x.rows;
  const n = x.cols;
  for (let u = s.from; u < s.to; u++) {
    const base = u * n;
    for (let v = 0; v < m; v++) {
      const w = d[u * m + v]!;
      if (w === 0) continue;
      for (let e = rowPtr[v]!; e < rowPtr[v + 1]!; e++) out[base + colIdx[e]!]! += w * values[e]!;
    }
  }
});

/**
 * (X W) diag(scale) for a sparse X (rows x k) and a dense W (k x cols, row-major): a dense
 * rows x cols array on shared memory. Row i is sum over X's entries (i, u) of x_iu W_u, scaled
 * column by column; threads take ranges of rows of about equal work.
 */
export function sparseTimesDense(x: Csr, w: Float32Array, cols: number, scale?: Float32Array): Float32Array {
  const threads = threadsFor(x.colIdx.length * cols, x.rows);
  const out = sharedFloat32(x.rows * cols);
  const m = threads > 1 ? sharedCsr(x) : x;
  const dense = threads > 1 ? shared(w) : w;
  const factors = scale && threads > 1 ? shared(scale) : scale;
  const rows = splitRange(x.rows, threads, (i) => 1 + x.rowPtr[i + 1]! - x.rowPtr[i]!);
  runParallel(sparseTimesDenseRows, Array.from({ length: threads }, (_, t) => ({ x: m, w: dense, cols, scale: factors, out, from: rows[t]!, to: rows[t + 1]! })));
  return out;
}

/** Rows [from, to) of sparseTimesDense. */
export const sparseTimesDenseRows = defineKernel(
  import.meta.url,
  'sparseTimesDenseRows',
  (s: { x: CsrArrays; w: Float32Array; cols: number; scale: Float32Array | undefined; out: Float32Array } & Range) => {
    const { x, w, cols, scale, out } = s;
    const { rowPtr, colIdx, values } = x;
    for (let i = s.from; i < s.to; i++) {
      const base = i * cols;
      for (let e = rowPtr[i]!; e < rowPtr[i + 1]!; e++) {
        const v = values[e]!;
        const from = colIdx[e]! * cols;
        for (let j = 0; j < cols; j++) out[base + j]! += v * w[from + j]!;
      }
      if (scale) for (let j = 0; j < cols; j++) out[base + j]! *= scale[j]!;
    }
  },
);
