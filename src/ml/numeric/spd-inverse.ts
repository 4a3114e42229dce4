// The inverse of a big symmetric positive-definite matrix (EASE's n^3 step) by the blocked sweep
// operator (Goodnight 1979), spread over the threads of threads.ts. Sweeping block K maps
// A_KK -> -A_KK^-1, A_iK -> A_iK A_KK^-1 and A_ij -> A_ij - A_iK A_KK^-1 A_Kj; after all blocks
// A holds -A^-1. Sweeping keeps the matrix symmetric, so only the upper triangle is updated
// (n^3 flops in all) and the lower one is filled at the end. Each block step is two parallel
// phases: rows of the panel M = A_:K A_KK^-1 (split by rows), then the update of the upper
// triangle (split by column blocks, which no two threads share).
//
// During the sweep the upper triangle is kept by column blocks: block b holds rows [0, c0 + w) of
// columns [c0, c0 + w) as one row-major array, so the part a step updates is one contiguous run.
// The triangle, the panel, M and M's transpose live in one shared WebAssembly memory (gemm.ts),
// where every thread's products run in place: C -= panel M^T, read and written once per step.
import { createArena, gemm } from './gemm.ts';
import { fillLowerTriangle } from './linalg.ts';
import { defineKernel, runParallel, splitRange, threadCount } from './threads.ts';

/** Where the column blocks of the upper triangle sit in one array (block b at blockOffset(b)). */
interface Blocks {
  /** The WebAssembly memory holding `data` and the step's arrays. */
  memory: WebAssembly.Memory;
  /** Column block b: rows [0, b * block + width) x its columns, row-major. */
  data: Float32Array;
  n: number;
  block: number;
}

/** What every phase of one block step reads and writes; the arrays are on shared memory. */
interface SweepStep extends Blocks {
  /** First row and width of block K. */
  k0: number;
  nb: number;
  /** A[:, K] (n x nb), from the upper triangle. */
  panel: Float32Array;
  /** M = A[:, K] A_KK^-1 (n x nb). */
  m: Float32Array;
  /** M^T (nb x n). */
  mt: Float32Array;
  /** A_KK^-1 (nb x nb). */
  d: Float32Array;
}

interface Range {
  from: number;
  to: number;
}

/** Start of column block b: block c before it holds (c + 1) * block rows of block columns. */
function blockOffset(block: number, b: number): number {
  return (block * block * b * (b + 1)) / 2;
}

/** Columns of block b. */
function blockWidth(n: number, block: number, b: number): number {
  return Math.min(block, n - b * block);
}

/**
 * Inverse of a symmetric positive-definite n x n matrix (row-major Float32, overwritten; pass it
 * on shared memory, `sharedFloat32`, to let other threads work on it, else one thread does all).
 */
export function spdInverseInPlace(a: Float32Array, n: number, block = 256, onBlock?: (done: number, total: number) => void): void {
  const count = Math.ceil(n / block);
  const threads = a.buffer instanceof SharedArrayBuffer ? Math.min(threadCount(), count) : 1;
  const width = Math.min(block, n);
  const { memory, arrays } = createArena([blockOffset(block, count - 1) + n * blockWidth(n, block, count - 1), n * width, n * width, width * n, width * width]);
  const [data, panel, m, mt, d] = arrays as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
  const blocks: Blocks = { memory, data, n, block };
  // column block c costs about (c0 + width) * width: the upper triangle above and in it
  const columns = splitRange(count, threads, (c) => Math.min(n, (c + 1) * block));
  runParallel(toBlocks, Array.from({ length: threads }, (_, t) => ({ ...blocks, a, from: columns[t]!, to: columns[t + 1]! })));
  const rows = splitRange(n, threads);
  for (let b = 0; b < count; b++) {
    const k0 = b * block;
    const nb = blockWidth(n, block, b);
    const step: SweepStep = { ...blocks, k0, nb, panel: panel.subarray(0, n * nb), m: m.subarray(0, n * nb), mt: mt.subarray(0, nb * n), d: d.subarray(0, nb * nb) };
    step.d.set(invertDiagonal(diagonalBlock(blocks, b), nb));
    runParallel(panelRows, Array.from({ length: threads }, (_, t) => ({ ...step, from: rows[t]!, to: rows[t + 1]! })));
    runParallel(updateColumns, Array.from({ length: threads }, (_, t) => ({ ...step, from: columns[t]!, to: columns[t + 1]! })));
    onBlock?.(b + 1, count);
  }
  const evenRows = splitRange(n, threads, (r) => n - r);
  runParallel(fromBlocks, Array.from({ length: threads }, (_, t) => ({ ...blocks, a, from: evenRows[t]!, to: evenRows[t + 1]! })));
  fillLowerTriangle(a, n, threads);
}

/** Column blocks [from, to) of the upper triangle of `a` into their places. */
export const toBlocks = defineKernel(import.meta.url, 'toBlocks', (s: Blocks & { a: Float32Array } & Range) => {
  const { data, n, block, a } = s;
  for (let b = s.from; b < s.to; b++) {
    const c0 = b * block;
    const width = blockWidth(n, block, b);
    const offset = blockOffset(block, b);
    for (let r = 0; r < c0 + width; r++) data.set(a.subarray(r * n + c0, r * n + c0 + width), offset + r * width);
  }
});

/** Rows [from, to) of `a` from the column blocks, upper triangle and diagonal negated (-A^-1 -> A^-1). */
export const fromBlocks = defineKernel(import.meta.url, 'fromBlocks', (s: Blocks & { a: Float32Array } & Range) => {
  const { data, n, block, a } = s;
  for (let r = s.from; r < s.to; r++) {
    for (let b = Math.floor(r / block); b * block < n; b++) {
      const c0 = b * block;
      const width = blockWidth(n, block, b);
      const source = blockOffset(block, b) + r * width - c0;
      for (let c = Math.max(c0, r); c < c0 + width; c++) a[r * n + c] = -data[source + c]!;
    }
  }
});

/** Rows [from, to) of the panel A[:, K], of M = panel A_KK^-1 and of M^T's columns. */
export const panelRows = defineKernel(import.meta.url, 'panelRows', (s: SweepStep & Range) => {
  const { memory, data, n, block, k0, nb, panel, m, mt, d } = s;
  if (s.to <= s.from) return;
  const own = blockOffset(block, k0 / block);
  for (let r = s.from; r < s.to; r++) {
    if (r < k0 + nb) {
      // A[r, k0 + c] from block K where it is in the upper triangle, else A[k0 + c, r]
      for (let c = 0; c < nb; c++) panel[r * nb + c] = r <= k0 + c ? data[own + r * nb + c]! : data[own + (k0 + c) * nb + r - k0]!;
    } else {
      // below block K: A[k0 + c, r], row k0 + c of r's column block
      const b = Math.floor(r / block);
      const width = blockWidth(n, block, b);
      const at = blockOffset(block, b) + k0 * width + r - b * block;
      for (let c = 0; c < nb; c++) panel[r * nb + c] = data[at + c * width]!;
    }
  }
  const rows = m.subarray(s.from * nb, s.to * nb);
  rows.fill(0);
  gemm(memory, rows, nb, panel.subarray(s.from * nb, s.to * nb), nb, d, nb, s.to - s.from, nb, nb);
  for (let r = s.from; r < s.to; r++) for (let c = 0; c < nb; c++) mt[c * n + r] = m[r * nb + c]!;
});

/**
 * Column blocks [from, to) of the upper triangle: A_ij -= C_i M_j^T, then block K's own cells:
 * its column above the diagonal block and its row right of it become M, A_KK becomes -A_KK^-1.
 */
export const updateColumns = defineKernel(import.meta.url, 'updateColumns', (s: SweepStep & Range) => {
  const { memory, data, n, block, k0, nb, panel, m, mt, d } = s;
  for (let b = s.from; b < s.to; b++) {
    const c0 = b * block;
    const width = blockWidth(n, block, b);
    const rows = c0 + width;
    const offset = blockOffset(block, b);
    // rows [0, rows) of the column block (the rows below its diagonal are updated but never read)
    gemm(memory, data.subarray(offset, offset + rows * width), width, panel, nb, mt.subarray(c0), n, rows, width, nb, -1);
    if (c0 === k0) {
      data.set(m.subarray(0, k0 * nb), offset);
      for (let r = 0; r < nb; r++) for (let c = 0; c < nb; c++) data[offset + (k0 + r) * nb + c] = -d[r * nb + c]!;
    } else if (c0 > k0) {
      for (let r = 0; r < nb; r++) data.set(mt.subarray(r * n + c0, r * n + c0 + width), offset + (k0 + r) * width);
    }
  }
});

/** A_KK of column block b, both triangles, from its upper triangle. */
function diagonalBlock({ data, n, block }: Blocks, b: number): Float32Array {
  const nb = blockWidth(n, block, b);
  const at = blockOffset(block, b) + b * block * nb;
  const out = new Float32Array(nb * nb);
  for (let r = 0; r < nb; r++) {
    for (let c = r; c < nb; c++) {
      const v = data[at + r * nb + c]!;
      out[r * nb + c] = v;
      out[c * nb + r] = v;
    }
  }
  return out;
}

/**
 * Diagonal blocks up to this order are inverted by plain loops (smallSpdInverse), bigger ones by a
 * sweep of their own in blocks of this order: plain loops run at ~0.5 G multiply-adds/s here, so
 * a 256 x 256 block took ~35 ms directly, with the other threads idle.
 */
const DIRECT = 64;

/** A_KK^-1 (nb x nb, both triangles given; overwritten when nb > DIRECT). */
function invertDiagonal(block: Float32Array, nb: number): Float32Array {
  if (nb <= DIRECT) return smallSpdInverse(block, nb);
  spdInverseInPlace(block, nb, DIRECT);
  return block;
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
