// The inverse of a big symmetric positive-definite matrix (EASE's n^3 step) by the blocked sweep
// operator (Goodnight 1979), spread over the threads of threads.ts. Sweeping block K maps
// A_KK -> -A_KK^-1, A_iK -> A_iK A_KK^-1 and A_ij -> A_ij - A_iK A_KK^-1 A_Kj; after all blocks
// A holds -A^-1. Sweeping keeps the matrix symmetric, so only the upper triangle is updated
// (n^3 flops in all, as tfjs matrix products of column blocks) and the lower one is filled at the
// end. Each block step is two parallel phases: rows of the panel M = A_:K A_KK^-1 (split by rows),
// then the update of the upper triangle (split by column blocks, which no two threads share).
import { fillLowerTriangle, matMul, transposed } from './linalg.ts';
import { defineKernel, runParallel, sharedFloat32, splitRange, threadCount } from './threads.ts';

/** What every phase of one block step reads and writes; the arrays are on shared memory. */
interface SweepStep {
  /** The matrix being inverted, n x n row-major (upper triangle live until the end). */
  a: Float32Array;
  n: number;
  block: number;
  /** First row and width of block K. */
  k0: number;
  nb: number;
  /** A[:, K] (n x nb), from the upper triangle. */
  panel: Float32Array;
  /** M = A[:, K] A_KK^-1 (n x nb). */
  m: Float32Array;
  /** A_KK^-1 (nb x nb). */
  d: Float32Array;
}

interface Range {
  from: number;
  to: number;
}

/**
 * Inverse of a symmetric positive-definite n x n matrix (row-major Float32, overwritten; pass it
 * on shared memory, `sharedFloat32`, to let other threads work on it, else one thread does all).
 */
export function spdInverseInPlace(a: Float32Array, n: number, block = 256, onBlock?: (done: number, total: number) => void): void {
  const blocks = Math.ceil(n / block);
  const threads = a.buffer instanceof SharedArrayBuffer ? Math.min(threadCount(), blocks) : 1;
  const scratch = threads > 1 ? sharedFloat32 : (length: number) => new Float32Array(length);
  const panel = scratch(n * block);
  const m = scratch(n * block);
  const d = scratch(block * block);
  for (let b = 0; b < blocks; b++) {
    const k0 = b * block;
    const nb = Math.min(block, n - k0);
    const step: SweepStep = { a, n, block, k0, nb, panel: panel.subarray(0, n * nb), m: m.subarray(0, n * nb), d: d.subarray(0, nb * nb) };
    step.d.set(smallSpdInverse(diagonalBlock(a, n, k0, nb), nb));
    const rows = splitRange(n, threads);
    runParallel(panelRows, Array.from({ length: threads }, (_, t) => ({ ...step, from: rows[t]!, to: rows[t + 1]! })));
    // column block c costs about (c0 + cols) * cols: the upper triangle above and in it
    const columns = splitRange(blocks, threads, (c) => Math.min(n, (c + 1) * block));
    runParallel(updateColumns, Array.from({ length: threads }, (_, t) => ({ ...step, from: columns[t]!, to: columns[t + 1]! })));
    onBlock?.(b + 1, blocks);
  }
  fillLowerTriangle(a, n, -1, threads);
  const evenRows = splitRange(n, threads, (r) => n - r);
  runParallel(negateUpper, Array.from({ length: threads }, (_, t) => ({ a, n, from: evenRows[t]!, to: evenRows[t + 1]! })));
}

/** Rows [from, to) of the panel A[:, K] and of M = panel A_KK^-1. */
export const panelRows = defineKernel(import.meta.url, 'panelRows', (s: SweepStep & Range) => {
  const { a, n, k0, nb, panel } = s;
  if (s.to <= s.from) return;
  for (let r = s.from; r < s.to; r++) {
    for (let c = 0; c < nb; c++) panel[r * nb + c] = r <= k0 + c ? a[r * n + k0 + c]! : a[(k0 + c) * n + r]!;
  }
  s.m.set(matMul(panel.subarray(s.from * nb, s.to * nb), [s.to - s.from, nb], s.d, [nb, nb]), s.from * nb);
});

/**
 * Column blocks [from, to) of the upper triangle: A_ij -= C_i M_j^T, then block K's own cells:
 * its column above the diagonal block and its row right of it become M, A_KK becomes -A_KK^-1.
 */
export const updateColumns = defineKernel(import.meta.url, 'updateColumns', (s: SweepStep & Range) => {
  const { a, n, block, k0, nb, panel, m, d } = s;
  for (let cb = s.from; cb < s.to; cb++) {
    const c0 = cb * block;
    const cols = Math.min(block, n - c0);
    const rows = c0 + cols;
    // upper-triangle column block [0, rows) x [c0, c0 + cols): C_rows (M_cols)^T
    const t = matMul(panel.subarray(0, rows * nb), [rows, nb], transposed(m.subarray(c0 * nb, rows * nb), cols, nb), [nb, cols]);
    for (let j = 0; j < rows; j++) {
      const row = j * n + c0;
      const first = Math.max(0, j - c0);
      for (let c = first; c < cols; c++) a[row + c]! -= t[j * cols + c]!;
    }
    if (c0 === k0) {
      for (let r = 0; r < k0; r++) for (let c = 0; c < nb; c++) a[r * n + k0 + c] = m[r * nb + c]!;
      for (let r = 0; r < nb; r++) for (let c = r; c < nb; c++) a[(k0 + r) * n + k0 + c] = -d[r * nb + c]!;
    } else if (c0 > k0) {
      for (let r = c0; r < c0 + cols; r++) for (let c = 0; c < nb; c++) a[(k0 + c) * n + r] = m[r * nb + c]!;
    }
  }
});

/** Rows [from, to): the diagonal and the upper triangle change sign (-A^-1 -> A^-1). */
export const negateUpper = defineKernel(import.meta.url, 'negateUpper', (s: { a: Float32Array; n: number } & Range) => {
  const { a, n } = s;
  for (let r = s.from; r < s.to; r++) for (let c = r; c < n; c++) a[r * n + c] = -a[r * n + c]!;
});

/** A_KK, both triangles, from the upper triangle of `a`. */
function diagonalBlock(a: Float32Array, n: number, k0: number, nb: number): Float32Array {
  const out = new Float32Array(nb * nb);
  for (let r = 0; r < nb; r++) {
    for (let c = r; c < nb; c++) {
      const v = a[(k0 + r) * n + k0 + c]!;
      out[r * nb + c] = v;
      out[c * nb + r] = v;
    }
  }
  return out;
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
