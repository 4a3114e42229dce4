// Item-kNN cosine on hand-checked matrices: binary (the classic buyer-overlap cosine) and
// recency-weighted (recency.ts), where a recent co-purchase outweighs an old one.
import { describe, it, expect } from 'vitest';
import { fitItemKnn } from '../../../src/ml/cf/knn.ts';
import { recencyWeighted } from '../../../src/ml/cf/recency.ts';
import { csrFromPairs, type Csr, type PairStats } from '../../../src/ml/cf/sparse.ts';
import { DAY_MS } from '../../../src/ml/customers/purchase-log.ts';

// customers: u0 {0, 1}, u1 {0, 2}, u2 {0, 1, 2}; so |U_0| = 3, |U_1| = 2, |U_2| = 2
const x = csrFromPairs(3, 3, Int32Array.from([0, 0, 1, 1, 2, 2, 2]), Int32Array.from([0, 1, 0, 2, 0, 1, 2]));

function dense(m: Csr): number[][] {
  const out = Array.from({ length: m.rows }, () => new Array<number>(m.cols).fill(0));
  for (let r = 0; r < m.rows; r++) for (let e = m.rowPtr[r]!; e < m.rowPtr[r + 1]!; e++) out[r]![m.colIdx[e]!] = m.values[e]!;
  return out;
}

function expectMatrix(actual: number[][], expected: number[][]): void {
  actual.forEach((row, i) => row.forEach((v, j) => expect(v, `sim[${i}][${j}]`).toBeCloseTo(expected[i]![j]!, 6)));
}

describe('fitItemKnn', () => {
  it('binary matrix: |U_i & U_j| / sqrt(|U_i| |U_j|)', () => {
    // items 0 and 1 share u0, u2: 2 / sqrt(3·2); 0 and 2 share u1, u2: the same; 1 and 2 share u2: 1 / 2
    const c = 2 / Math.sqrt(6);
    expectMatrix(dense(fitItemKnn(x, { neighbours: 2 })), [
      [0, c, c],
      [c, 0, 0.5],
      [c, 0.5, 0],
    ]);
  });

  it('keeps the top neighbours only', () => {
    // item 1's neighbours: 0 (0.816) before 2 (0.5)
    expectMatrix([dense(fitItemKnn(x, { neighbours: 1 }))[1]!], [[2 / Math.sqrt(6), 0, 0]]);
  });

  it('recency-weighted: a pair bought one half-life ago weighs 1/2, and the cosine uses the weights', () => {
    const end = Date.parse('2011-06-01T00:00:00Z');
    // u0's pairs are 30 days old, every other pair is bought at the end
    const lastTime = Float64Array.from([0, 0, 1, 1, 2, 2, 2].map((u) => (u === 0 ? end - 30 * DAY_MS : end)));
    const stats = { matrix: x, lines: new Float32Array(7).fill(1), quantity: new Float32Array(7).fill(1), lastTime } satisfies PairStats;
    const weighted = recencyWeighted(x, stats, end, 30);
    expect(Array.from(weighted.values)).toEqual([0.5, 0.5, 1, 1, 1, 1, 1]);
    expect(recencyWeighted(x, stats, end, 0)).toBe(x);
    // norms: item 0: 0.25 + 1 + 1, item 1: 0.25 + 1, item 2: 1 + 1
    // sim(0, 1) = (0.5·0.5 + 1·1) / sqrt(2.25 · 1.25); sim(0, 2) = (1 + 1) / sqrt(2.25 · 2); sim(1, 2) = 1 / sqrt(1.25 · 2)
    const s01 = 1.25 / Math.sqrt(2.25 * 1.25);
    const s02 = 2 / Math.sqrt(2.25 * 2);
    const s12 = 1 / Math.sqrt(1.25 * 2);
    expectMatrix(dense(fitItemKnn(weighted, { neighbours: 2 })), [
      [0, s01, s02],
      [s01, 0, s12],
      [s02, s12, 0],
    ]);
    // u0's old purchase of 0 and 1 together counts less: 1 moves away from 0 and towards 2
    expect(s01).toBeLessThan(2 / Math.sqrt(6));
    expect(s12).toBeGreaterThan(0.5);
  });
});
