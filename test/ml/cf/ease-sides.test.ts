import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readPurchaseLog } from '../../../src/import/read-purchase-log.ts';
import { easeMemoryBytes, easeSide, fitEase, type EaseSide } from '../../../src/ml/cf/ease.ts';
import { csrFromPairs, pairStats, withValues, type Csr } from '../../../src/ml/cf/sparse.ts';
import { splitByTime } from '../../../src/ml/customers/split.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';
import { setThreadCount } from '../../../src/ml/numeric/threads.ts';

beforeAll(async () => {
  await initTf();
});

afterAll(() => setThreadCount(undefined));

/** A seeded binary matrix with about `density` of its cells set. */
function randomPurchases(rows: number, cols: number, density: number, seed: number): Csr {
  const rng = createRng(seed);
  const r: number[] = [];
  const c: number[] = [];
  for (let u = 0; u < rows; u++) for (let i = 0; i < cols; i++) if (rng.next() < density) (r.push(u), c.push(i));
  return csrFromPairs(rows, cols, Int32Array.from(r), Int32Array.from(c));
}

/** B of eq. 8 in Float64: P = (X^T X + lambda I)^-1 by Gauss-Jordan, B_ij = -P_ij / P_jj. */
function easeFloat64(x: Csr, lambda: number): Float64Array {
  const n = x.cols;
  const a = new Float64Array(n * n);
  for (let u = 0; u < x.rows; u++) {
    for (let e = x.rowPtr[u]!; e < x.rowPtr[u + 1]!; e++) {
      for (let f = x.rowPtr[u]!; f < x.rowPtr[u + 1]!; f++) a[x.colIdx[e]! * n + x.colIdx[f]!]! += 1;
    }
  }
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i]! += lambda;
    p[i * n + i] = 1;
  }
  for (let k = 0; k < n; k++) {
    const pivot = a[k * n + k]!;
    for (let j = 0; j < n; j++) {
      a[k * n + j]! /= pivot;
      p[k * n + j]! /= pivot;
    }
    for (let i = 0; i < n; i++) {
      const f = a[i * n + k]!;
      if (i === k || f === 0) continue;
      for (let j = 0; j < n; j++) {
        a[i * n + j]! -= f * a[k * n + j]!;
        p[i * n + j]! -= f * p[k * n + j]!;
      }
    }
  }
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i * n + j] = i === j ? 0 : -p[i * n + j]! / p[j * n + j]!;
  return b;
}

/** max |a - b| / max |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

describe('EASE from either side', () => {
  // Float32 end to end: a product or inverse of order n rounds at about n * 6e-8 relative for
  // these well-conditioned systems (X^T X + lambda I with lambda of the order of the item counts);
  // 2e-5 is that for n ~ 300 with a margin (on Online Retail's whole train matrix the two sides
  // measured 1.5e-6 apart).
  const FLOAT32_TOLERANCE = 2e-5;

  it.each([
    ['wide', 60, 300, 0.05, 5],
    ['tall', 300, 60, 0.05, 20],
    ['wide, sparse', 40, 500, 0.01, 1],
  ])('matches a Float64 reference on a %s matrix with both sides and 1 or 2 threads', (_name, rows, cols, density, lambda) => {
    const x = randomPurchases(rows, cols, density, rows * cols);
    const reference = easeFloat64(x, lambda);
    for (const side of ['items', 'customers'] as EaseSide[]) {
      for (const threads of [1, 2]) {
        setThreadCount(threads);
        const b = fitEase(x, { lambda, side });
        expect(relativeError(b, reference)).toBeLessThan(FLOAT32_TOLERANCE);
        for (let i = 0; i < cols; i++) expect(b[i * cols + i]).toBe(0);
      }
    }
  });

  it('gives the same B from both sides on Online Retail customers (300 customers, more items)', async () => {
    const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');
    const { train } = splitByTime(log, Date.parse('2011-09-09T00:00:00Z'));
    const all = pairStats(train).matrix;
    // the first 600 customers and every item any of them bought, columns renumbered
    const rows = 300;
    const used = new Int32Array(all.cols).fill(-1);
    let cols = 0;
    for (let e = 0; e < all.rowPtr[rows]!; e++) if (used[all.colIdx[e]!] === -1) used[all.colIdx[e]!] = cols++;
    const r: number[] = [];
    const c: number[] = [];
    for (let u = 0; u < rows; u++) for (let e = all.rowPtr[u]!; e < all.rowPtr[u + 1]!; e++) (r.push(u), c.push(used[all.colIdx[e]!]!));
    const x = withValues(csrFromPairs(rows, cols, Int32Array.from(r), Int32Array.from(c)), new Float32Array(r.length).fill(1));
    expect(cols).toBeGreaterThan(rows);
    expect(easeSide(rows, cols, x.colIdx.length)).toBe('customers');
    setThreadCount(2);
    const items = fitEase(x, { lambda: 500, side: 'items' });
    const customers = fitEase(x, { lambda: 500 });
    expect(relativeError(customers, items)).toBeLessThan(FLOAT32_TOLERANCE);
    setThreadCount(1);
    expect(relativeError(fitEase(x, { lambda: 500 }), customers)).toBeLessThan(1e-6);
  });

  it('picks the cheaper side and says how much memory it needs', () => {
    // Online Retail's train matrix, about square: the dense items side is cheaper
    expect(easeSide(3362, 3437, 167_515)).toBe('items');
    // the wide catalog of the speed issue: the customers side
    expect(easeSide(2325, 17_537, 53_000)).toBe('customers');
    expect(easeSide(10_000, 500, 100_000)).toBe('items');
    expect(easeMemoryBytes(20_000)).toBe(20_000 ** 2 * 6);
    expect(easeMemoryBytes(17_537, 2325, 53_000)).toBeLessThan(easeMemoryBytes(17_537));
    expect(easeMemoryBytes(3437, 3362, 167_515)).toBe(easeMemoryBytes(3437));
  });
});
