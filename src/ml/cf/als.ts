// Implicit-feedback alternating least squares (Hu, Koren & Volinsky 2008, "Collaborative Filtering
// for Implicit Feedback Datasets"; settings after Rendle et al. 2021, "Revisiting the Performance
// of iALS on Item Recommendation Benchmarks").
//
// Symbols: p_ui = 1 if customer u bought item i (preference), r_ui = how strongly (see Weighting),
// c_ui = 1 + alpha * r_ui the confidence, x_u / y_i the customer / item embeddings (k factors),
// lambda the L2 regularisation. Minimises sum_ui c_ui (p_ui - x_u.y_i)^2 + lambda (|x|^2 + |y|^2)
// by solving each row exactly, (Y^T C_u Y + lambda I) x_u = Y^T C_u p_u, written as
// (Y^T Y + lambda I + sum_{i in u} (c_ui - 1) y_i y_i^T) x_u = sum_{i in u} c_ui y_i,
// either by Cholesky or by a few warm-started conjugate-gradient steps (Takacs et al. 2011).
//
// The rows of one sweep are independent, so each batch of rows is split over the threads of
// numeric/threads.ts (factors and matrices on shared memory). A row's solve reads only its own
// row, the other side's factors and the Gram matrix, so the factors do not depend on how rows
// are split: the same seed gives the same model whatever the thread count.
import { createRng } from '../numeric/rng.ts';
import { choleskySolveInPlace, gramOfRows, matMul } from '../numeric/linalg.ts';
import { defineKernel, runParallel, shared, sharedFloat32, splitRange, threadCount } from '../numeric/threads.ts';
import { DAY_MS } from '../customers/purchase-log.ts';
import { simdWorkspace, type CgBatch } from './als-simd.ts';
import { transpose, withValues, type Csr, type PairStats } from './sparse.ts';

/** How r_ui is derived from the purchase lines of a customer-item pair. */
export type Weighting = 'binary' | 'counts' | 'log' | 'recency';

export interface AlsOptions {
  factors: number;
  iterations: number;
  /** lambda, the L2 penalty on every embedding. */
  regularization: number;
  /** Scale of confidence: c_ui = 1 + alpha * r_ui. */
  alpha: number;
  weighting: Weighting;
  /** Half-life of the recency decay in days (weighting 'recency' only). */
  halfLifeDays: number;
  solver: 'cg' | 'exact';
  /** Conjugate-gradient steps per row and sweep. */
  cgSteps: number;
  seed: number;
  /** Rows solved per batch (bounds memory on big data). */
  chunkRows: number;
}

export const ALS_DEFAULTS: AlsOptions = {
  factors: 64,
  iterations: 15,
  regularization: 30,
  alpha: 2,
  weighting: 'log',
  halfLifeDays: 90,
  solver: 'cg',
  cgSteps: 3,
  seed: 42,
  chunkRows: 65_536,
};

/** What folding a new customer in needs: (Y^T Y + lambda I) and how confidences are made. */
export interface AlsFoldIn {
  factors: number;
  /** Y^T Y + lambda I, k x k row-major. */
  gram: Float32Array;
  alpha: number;
  weighting: Weighting;
}

export interface AlsModel {
  factors: number;
  userFactors: Float32Array;
  itemFactors: Float32Array;
  foldIn: AlsFoldIn;
}

/**
 * r_ui per entry of `stats.matrix`: binary 1; counts = order lines; log = ln(1 + lines);
 * recency = lines * 2^(-days since the pair's last purchase / half-life), measured at `endTime`.
 */
export function preferenceStrength(stats: PairStats, weighting: Weighting, options: { halfLifeDays?: number; endTime?: number } = {}): Float32Array {
  const { lines, lastTime } = stats;
  const out = new Float32Array(lines.length);
  const halfLife = (options.halfLifeDays ?? ALS_DEFAULTS.halfLifeDays) * DAY_MS;
  const end = options.endTime ?? lastTime.reduce((a, b) => Math.max(a, b), -Infinity);
  for (let k = 0; k < lines.length; k++) out[k] = strength(lines[k]!, weighting, weighting === 'recency' ? Math.pow(2, -(end - lastTime[k]!) / halfLife) : 1);
  return out;
}

function strength(lines: number, weighting: Weighting, decay: number): number {
  switch (weighting) {
    case 'binary':
      return 1;
    case 'counts':
      return lines;
    case 'log':
      return Math.log1p(lines);
    case 'recency':
      return lines * decay;
  }
}

/**
 * Fits embeddings to `strengths` (customers x items, values r_ui). `onProgress` hears the
 * iterations done so far, in fractions as batches of rows finish.
 */
export function fitAls(strengths: Csr, options: Partial<AlsOptions> = {}, onProgress?: (done: number, total: number) => void): AlsModel {
  const o = { ...ALS_DEFAULTS, ...options } satisfies AlsOptions;
  const k = o.factors;
  const rng = createRng(o.seed);
  const threads = Math.min(threadCount(), Math.ceil(strengths.rows / MIN_ROWS_PER_THREAD));
  const onThreads = (m: Csr): Csr => (threads > 1 ? { rows: m.rows, cols: m.cols, rowPtr: shared(m.rowPtr), colIdx: shared(m.colIdx), values: shared(m.values) } : m);
  const confidenceMinusOne = onThreads(withValues(strengths, strengths.values.map((r) => o.alpha * r)));
  const byItem = onThreads(transpose(confidenceMinusOne));
  const factorArray = threads > 1 ? sharedFloat32 : (length: number) => new Float32Array(length);
  const userFactors = factorArray(strengths.rows * k);
  const itemFactors = factorArray(strengths.cols * k);
  for (let i = 0; i < itemFactors.length; i++) itemFactors[i] = 0.01 * rng.normal();
  // a sweep's cost is about proportional to rows + entries on each side
  const userShare = (strengths.rows + strengths.colIdx.length) / (strengths.rows + strengths.cols + 2 * strengths.colIdx.length);
  for (let it = 0; it < o.iterations; it++) {
    solveSide(userFactors, itemFactors, confidenceMinusOne, byItem, o, threads, (f) => onProgress?.(it + f * userShare, o.iterations));
    solveSide(itemFactors, userFactors, byItem, confidenceMinusOne, o, threads, (f) => onProgress?.(it + userShare + f * (1 - userShare), o.iterations));
  }
  return { factors: k, userFactors, itemFactors, foldIn: { factors: k, gram: regularisedGram(itemFactors, k, o.regularization), alpha: o.alpha, weighting: o.weighting } };
}

/** Below this many rows a side runs on one thread (the workers' start-up would cost more). */
const MIN_ROWS_PER_THREAD = 1024;

/**
 * x_u for a customer given only their items (repeats count as more lines): one k x k solve
 * against the trained item embeddings. Lines are taken as fresh (no recency decay).
 */
export function foldInCustomer(itemFactors: Float32Array, foldIn: AlsFoldIn, itemIdxs: ArrayLike<number>): Float32Array {
  const k = foldIn.factors;
  const lines = new Map<number, number>();
  for (let j = 0; j < itemIdxs.length; j++) lines.set(itemIdxs[j]!, (lines.get(itemIdxs[j]!) ?? 0) + 1);
  const a = Float64Array.from(foldIn.gram);
  const b = new Float64Array(k);
  for (const [item, count] of lines) {
    const cm1 = foldIn.alpha * strength(count, foldIn.weighting, 1);
    addOuter(a, b, itemFactors, item * k, k, cm1);
  }
  choleskySolveInPlace(a, b, k);
  return Float32Array.from(b);
}

function regularisedGram(y: Float32Array, k: number, lambda: number): Float32Array {
  const g = gramOfRows(y, y.length / k, k);
  for (let j = 0; j < k; j++) g[j * k + j]! += lambda;
  return g;
}

/** a += cm1 * y y^T; b += (1 + cm1) * y, for y = factors[offset .. offset + k). */
function addOuter(a: Float64Array, b: Float64Array, factors: Float32Array, offset: number, k: number, cm1: number): void {
  for (let p = 0; p < k; p++) {
    const yp = factors[offset + p]!;
    b[p]! += (1 + cm1) * yp;
    const w = cm1 * yp;
    const row = p * k;
    for (let q = 0; q < k; q++) a[row + q]! += w * factors[offset + q]!;
  }
}

/** What a thread needs to re-solve rows [from, to) of one side. */
interface SideShare {
  target: Float32Array;
  other: Float32Array;
  m: Csr;
  /** m's transpose, given when the batch's sparse passes go by the other side's rows (als-simd.ts). */
  mt?: Csr;
  gram: Float32Array;
  o: AlsOptions;
  from: number;
  to: number;
}

/**
 * Re-solves every row of `target` with `other` fixed; m holds c - 1 per observed pair, mt is its
 * transpose. Batches of rows go one after the other (progress between them), each split over
 * `threads` threads by cost. A CG batch whose other side has more than twice its rows makes its
 * sparse passes by the other side's rows (mt), reading those factors once and in order: on
 * 1M customers x 50k items the items' sweep read 256 MB of customer factors out of order, at half
 * the speed of the customers' sweep; in order it runs as fast (bench/recommender/README.md).
 */
function solveSide(target: Float32Array, other: Float32Array, m: Csr, mt: Csr, o: AlsOptions, threads: number, onFraction: (done: number) => void): void {
  const gram = regularisedGram(other, o.factors, o.regularization);
  const shares = Math.min(threads, m.rows);
  const batch = o.solver === 'exact' ? 4096 * shares : o.chunkRows;
  for (let start = 0; start < m.rows; start += batch) {
    const end = Math.min(m.rows, start + batch);
    const byOther = o.solver === 'cg' && mt.rows > 2 * (end - start) ? mt : undefined;
    const cuts = splitRange(end - start, shares, (u) => 2 + m.rowPtr[start + u + 1]! - m.rowPtr[start + u]!);
    const parts = Array.from({ length: shares }, (_, t): SideShare => ({ target, other, m, mt: byOther, gram, o, from: start + cuts[t]!, to: start + cuts[t + 1]! }));
    runParallel(o.solver === 'exact' ? exactRows : cgRows, parts);
    onFraction(end / m.rows);
  }
  onFraction(1);
}

/** Rows [from, to) solved exactly: one k x k Cholesky solve each. */
export const exactRows = defineKernel(import.meta.url, 'exactRows', ({ target, other, m, gram, o, from, to }: SideShare) => {
  const k = o.factors;
  const a = new Float64Array(k * k);
  const b = new Float64Array(k);
  for (let u = from; u < to; u++) {
    a.set(gram);
    b.fill(0);
    for (let e = m.rowPtr[u]!; e < m.rowPtr[u + 1]!; e++) addOuter(a, b, other, m.colIdx[e]! * k, k, m.values[e]!);
    choleskySolveInPlace(a, b, k);
    for (let p = 0; p < k; p++) target[u * k + p] = b[p]!;
  }
});

/** Rows [from, to) by conjugate gradient. */
export const cgRows = defineKernel(import.meta.url, 'cgRows', (s: SideShare) => {
  if (s.to > s.from) conjugateGradient(s);
});

/**
 * cgSteps of conjugate gradient on rows [from, to), all rows at once: the dense (Y^T Y + lambda I) p
 * products of the whole batch are one tfjs matrix product, the sparse corrections one pass of
 * WebAssembly SIMD each (als-simd.ts), or of plain loops where it cannot take the batch.
 */
function conjugateGradient({ target, other, m, mt, gram, from, to, o }: SideShare): void {
  const k = o.factors;
  const rows = to - from;
  const solution = target.subarray(from * k, to * k);
  const b = simdWorkspace()?.batch(m, other, from, to, k, mt) ?? plainBatch(m, other, from, k, solution);
  const { x, r, p, ap, rs } = b;
  if (x !== solution) x.set(solution);
  // r = b - A x, with b = sum c y_i and A x = gram x + sum (c - 1)(y_i . x) y_i
  r.set(matMul(x, [rows, k], gram, [k, k]));
  for (let j = 0; j < r.length; j++) r[j] = -r[j]!;
  rs.fill(1);
  b.correction(x, r, true);
  p.set(r);
  for (let u = 0; u < rows; u++) rs[u] = dotAt(r, u * k, r, u * k, k);
  for (let step = 0; step < o.cgSteps; step++) {
    ap.set(matMul(p, [rows, k], gram, [k, k]));
    b.correction(p, ap, false);
    for (let u = 0; u < rows; u++) {
      if (!(rs[u]! > 1e-20)) continue;
      const base = u * k;
      const stepSize = rs[u]! / dotAt(p, base, ap, base, k);
      let rsNew = 0;
      for (let q = 0; q < k; q++) {
        x[base + q]! += stepSize * p[base + q]!;
        const rq = r[base + q]! - stepSize * ap[base + q]!;
        r[base + q] = rq;
        rsNew += rq * rq;
      }
      const beta = rsNew / rs[u]!;
      for (let q = 0; q < k; q++) p[base + q] = r[base + q]! + beta * p[base + q]!;
      rs[u] = rsNew;
    }
  }
  if (x !== solution) solution.set(x);
}

/** The batch in plain typed arrays (x is the target's rows themselves), its sparse pass in plain loops. */
function plainBatch(m: Csr, other: Float32Array, from: number, k: number, x: Float32Array): CgBatch {
  const rows = x.length / k;
  return {
    x,
    r: new Float32Array(rows * k),
    p: new Float32Array(rows * k),
    ap: new Float32Array(rows * k),
    rs: new Float64Array(rows),
    correction(v, out, first) {
      for (let u = 0; u < rows; u++) {
        if (!(this.rs[u]! > 1e-20)) continue;
        const base = u * k;
        for (let e = m.rowPtr[from + u]!; e < m.rowPtr[from + u + 1]!; e++) {
          const off = m.colIdx[e]! * k;
          const c = m.values[e]!;
          const d = dotAt(other, off, v, base, k);
          axpy(first ? 1 + c - c * d : c * d, other, off, out, base, k);
        }
      }
    },
  };
}

// The two kernels of the sparse part, unrolled by four: ~1.6x faster than plain loops in V8 here.
function dotAt(a: Float32Array, ia: number, b: Float32Array, ib: number, k: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let q = 0;
  for (; q + 3 < k; q += 4) {
    s0 += a[ia + q]! * b[ib + q]!;
    s1 += a[ia + q + 1]! * b[ib + q + 1]!;
    s2 += a[ia + q + 2]! * b[ib + q + 2]!;
    s3 += a[ia + q + 3]! * b[ib + q + 3]!;
  }
  for (; q < k; q++) s0 += a[ia + q]! * b[ib + q]!;
  return s0 + s1 + s2 + s3;
}

/** y[iy ..] += w * x[ix ..] over k values. */
function axpy(w: number, x: Float32Array, ix: number, y: Float32Array, iy: number, k: number): void {
  let q = 0;
  for (; q + 3 < k; q += 4) {
    y[iy + q]! += w * x[ix + q]!;
    y[iy + q + 1]! += w * x[ix + q + 1]!;
    y[iy + q + 2]! += w * x[ix + q + 2]!;
    y[iy + q + 3]! += w * x[ix + q + 3]!;
  }
  for (; q < k; q++) y[iy + q]! += w * x[ix + q]!;
}
