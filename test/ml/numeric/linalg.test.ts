import { describe, it, expect, beforeAll } from 'vitest';
import { initTf } from '../../../src/ml/numeric/tf.ts';
import { choleskySolveInPlace, dotRows, gramOfRows, matMul, transposed } from '../../../src/ml/numeric/linalg.ts';
import { spdInverseInPlace } from '../../../src/ml/numeric/spd-inverse.ts';
import { sparseGram } from '../../../src/ml/numeric/sparse-products.ts';
import { setThreadCount, sharedFloat32 } from '../../../src/ml/numeric/threads.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';
import { csrFromPairs } from '../../../src/ml/cf/sparse.ts';

beforeAll(async () => {
  await initTf();
});

function randomSpd(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const x = new Float32Array(n * n).map(() => rng.normal());
  const g = matMul(transposed(x, n, n), [n, n], x, [n, n]);
  for (let i = 0; i < n; i++) g[i * n + i]! += n;
  return g;
}

describe('linalg', () => {
  it.each([5, 64, 300, 700])('inverts an SPD matrix of order %i through blocked sweeps', (n) => {
    const a = randomSpd(n, n);
    const inv = a.slice();
    spdInverseInPlace(inv, n, 128);
    const product = matMul(a, [n, n], inv, [n, n]);
    let worst = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(product[i * n + j]! - (i === j ? 1 : 0)));
    expect(worst).toBeLessThan(1e-4);
    let asymmetric = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) if (inv[i * n + j] !== inv[j * n + i]) asymmetric++;
    expect(asymmetric).toBe(0);
  });

  it('inverts on two threads what it inverts on one, to rounding', () => {
    const n = 700;
    const a = randomSpd(n, 1);
    const one = a.slice();
    spdInverseInPlace(one, n, 128);
    const two = sharedFloat32(n * n);
    two.set(a);
    setThreadCount(2);
    try {
      spdInverseInPlace(two, n, 128);
    } finally {
      setThreadCount(undefined);
    }
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < n * n; i++) {
      worst = Math.max(worst, Math.abs(two[i]! - one[i]!));
      scale = Math.max(scale, Math.abs(one[i]!));
    }
    expect(worst / scale).toBeLessThan(1e-6);
  });

  it('sums the Gram matrix of a tall matrix by blocks, the same on one and two threads', () => {
    const rows = 150_000;
    const k = 6;
    const rng = createRng(9);
    const y = sharedFloat32(rows * k);
    for (let i = 0; i < y.length; i++) y[i] = rng.normal();
    const exact = new Float64Array(k * k);
    for (let r = 0; r < rows; r++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) exact[i * k + j]! += y[r * k + i]! * y[r * k + j]!;
    setThreadCount(1);
    const one = gramOfRows(y, rows, k);
    setThreadCount(2);
    const two = gramOfRows(y, rows, k);
    setThreadCount(undefined);
    expect(Array.from(two)).toEqual(Array.from(one));
    for (let i = 0; i < k * k; i++) expect(Math.abs(one[i]! - exact[i]!)).toBeLessThan(1e-4 * rows);
  });

  it('solves a small SPD system exactly', () => {
    const a = Float64Array.from([4, 2, 0, 2, 5, 1, 0, 1, 3]);
    const x = [1, -2, 3];
    const b = Float64Array.from([4 * 1 + 2 * -2, 2 * 1 + 5 * -2 + 3, -2 + 9]);
    choleskySolveInPlace(a, b, 3);
    x.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 12));
  });

  it('computes X^T X of a sparse matrix and row dot products', () => {
    const x = csrFromPairs(3, 3, Int32Array.from([0, 0, 1, 2, 2]), Int32Array.from([0, 1, 1, 0, 2]));
    expect(Array.from(sparseGram(x))).toEqual([2, 1, 1, 1, 2, 0, 1, 0, 1]);
    const out = new Float32Array(2);
    dotRows(Float32Array.from([1, 2, 3, 4]), 2, Float32Array.from([1, -1]), out);
    expect(Array.from(out)).toEqual([-1, -1]);
    const some = new Float32Array(3).fill(9);
    dotRows(Float32Array.from([1, 2, 3, 5, 7, 7]), 2, Float32Array.from([1, -1]), some, Int32Array.from([2, 0]));
    expect(Array.from(some)).toEqual([-1, 9, 0]);
  });
});
