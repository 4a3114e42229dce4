import { describe, it, expect } from 'vitest';
import { fitRp3beta } from '../../../src/ml/cf/rp3beta.ts';
import { csrFromPairs, type Csr } from '../../../src/ml/cf/sparse.ts';

// customers: u0 {0, 1}, u1 {0, 1, 2}, u2 {1}; so |I_u| = 2, 3, 1 and |U_i| = 2, 3, 1
const x = csrFromPairs(3, 3, Int32Array.from([0, 0, 1, 1, 1, 2]), Int32Array.from([0, 1, 0, 1, 2, 1]));

function dense(m: Csr): number[][] {
  const out = Array.from({ length: m.rows }, () => new Array<number>(m.cols).fill(0));
  for (let r = 0; r < m.rows; r++) for (let e = m.rowPtr[r]!; e < m.rowPtr[r + 1]!; e++) out[r]![m.colIdx[e]!] = m.values[e]!;
  return out;
}

function expectMatrix(actual: number[][], expected: number[][]): void {
  actual.forEach((row, i) => row.forEach((v, j) => expect(v, `W[${i}][${j}]`).toBeCloseTo(expected[i]![j]!, 6)));
}

describe('fitRp3beta', () => {
  it('alpha 1, beta 0 is the three-step random walk (worked by hand)', () => {
    // W_01 = 1/|U_0| * (1/|I_u0| + 1/|I_u1|) = 1/2 * (1/2 + 1/3) = 5/12; W_02 = 1/2 * 1/3; ...
    expectMatrix(dense(fitRp3beta(x, { alpha: 1, beta: 0 })), [
      [0, 5 / 12, 1 / 6],
      [5 / 18, 0, 1 / 9],
      [1 / 3, 1 / 3, 0],
    ]);
  });

  it('rows of the plain walk are probabilities: each sums to 1 minus the walk back to itself', () => {
    const w = dense(fitRp3beta(x, { alpha: 1, beta: 0 }));
    const self = [5 / 12, (1 / 3) * (1 / 2 + 1 / 3 + 1), 1 / 3];
    w.forEach((row, i) => expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1 - self[i]!, 6));
  });

  it('beta divides by the destination popularity |U_j|^beta, which can reorder neighbours', () => {
    const w = dense(fitRp3beta(x, { alpha: 1, beta: 1 }));
    expectMatrix(w, [
      [0, 5 / 36, 1 / 6],
      [5 / 36, 0, 1 / 9],
      [1 / 6, 1 / 9, 0],
    ]);
    // without the penalty item 1 (3 buyers) is item 0's best neighbour; with it, item 2 (1 buyer)
    expect(w[0]![2]!).toBeGreaterThan(w[0]![1]!);
  });

  it('alpha sharpens each transition: (1/|U_i|)^alpha (1/|I_u|)^alpha', () => {
    const w = dense(fitRp3beta(x, { alpha: 2, beta: 0 }));
    expect(w[0]![1]).toBeCloseTo((1 / 4) * (1 / 4 + 1 / 9), 6);
    expect(w[2]![0]).toBeCloseTo(1 * (1 / 9), 6);
  });

  it('keeps only the top neighbours per row, columns ascending, never the item itself', () => {
    const m = fitRp3beta(x, { alpha: 1, beta: 0, neighbours: 1 });
    expect(Array.from(m.rowPtr)).toEqual([0, 1, 2, 3]);
    // row 2 ties (1/3, 1/3): the lower index wins
    expect(Array.from(m.colIdx)).toEqual([1, 0, 0]);
  });

  it('an item nobody else bought with has no neighbours', () => {
    const lonely = csrFromPairs(2, 3, Int32Array.from([0, 0, 1]), Int32Array.from([0, 1, 2]));
    const m = fitRp3beta(lonely);
    expect(m.rowPtr[3]! - m.rowPtr[2]!).toBe(0);
  });
});
