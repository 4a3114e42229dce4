// Item-kNN cosine on a hand-checked matrix.
import { describe, it, expect } from 'vitest';
import { fitItemKnn } from '../../../src/ml/cf/knn.ts';
import { csrFromPairs, type Csr } from '../../../src/ml/cf/sparse.ts';

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
});
