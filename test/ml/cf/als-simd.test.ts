import { describe, it, expect } from 'vitest';
import { simdWorkspace } from '../../../src/ml/cf/als-simd.ts';
import { csrFromPairs, transpose, withValues, type Csr } from '../../../src/ml/cf/sparse.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';

/** A seeded matrix of `rows` x `cols` with 0-12 entries a row, values in (0, 3). */
function matrix(rows: number, cols: number, seed: number): Csr {
  const rng = createRng(seed);
  const r: number[] = [];
  const c: number[] = [];
  for (let u = 0; u < rows; u++) {
    for (let j = rng.int(13); j > 0; j--) {
      r.push(u);
      c.push(rng.int(cols));
    }
  }
  const m = csrFromPairs(rows, cols, Int32Array.from(r), Int32Array.from(c));
  return withValues(m, m.values.map(() => 3 * rng.next()));
}

function randomArray(length: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length }, () => rng.normal());
}

/** out_u += w y_i over rows [from, to) of m, in float64: the kernel's definition, written out. */
function reference(m: Csr, other: Float32Array, from: number, to: number, k: number, v: Float32Array, out: Float32Array, rs: Float64Array, first: boolean): Float64Array {
  const result = Float64Array.from(out);
  for (let u = 0; u < to - from; u++) {
    if (!(rs[u]! > 1e-20)) continue;
    for (let e = m.rowPtr[from + u]!; e < m.rowPtr[from + u + 1]!; e++) {
      const i = m.colIdx[e]!;
      const c = m.values[e]!;
      let d = 0;
      for (let q = 0; q < k; q++) d += other[i * k + q]! * v[u * k + q]!;
      const w = first ? 1 + c - c * d : c * d;
      for (let q = 0; q < k; q++) result[u * k + q]! += w * other[i * k + q]!;
    }
  }
  return result;
}

describe('iALS sparse pass in WebAssembly SIMD', () => {
  const k = 12;
  const m = matrix(300, 80, 5);
  const other = randomArray(80 * k, 6);
  const [from, to] = [37, 251];
  const rows = to - from;

  it.each([true, false])('matches the pass written out in float64 (first pass: %s), skipping converged rows', (first) => {
    const batch = simdWorkspace()!.batch(m, other, from, to, k)!;
    expect(batch).toBeDefined();
    batch.p.set(randomArray(rows * k, 7));
    batch.ap.set(randomArray(rows * k, 8));
    for (let u = 0; u < rows; u++) batch.rs[u] = u % 5 === 0 ? 0 : 1;
    const expected = reference(m, other, from, to, k, batch.p, batch.ap, batch.rs, first);
    const before = batch.ap.slice();
    batch.correction(batch.p, batch.ap, first);
    let scale = 0;
    let worst = 0;
    for (let j = 0; j < expected.length; j++) {
      scale = Math.max(scale, Math.abs(expected[j]!));
      worst = Math.max(worst, Math.abs(batch.ap[j]! - expected[j]!));
    }
    expect(worst / scale).toBeLessThan(1e-5);
    // converged rows (rs 0) are left as they were, the others moved
    expect(Array.from(batch.ap.subarray(0, k))).toEqual(Array.from(before.subarray(0, k)));
    expect(Array.from(batch.ap.subarray(k, 2 * k))).not.toEqual(Array.from(before.subarray(k, 2 * k)));
  });

  it.each([true, false])('gives the same sums by rows of the other side as by the batch rows (first pass: %s)', (first) => {
    const run = (mt?: Csr) => {
      const batch = simdWorkspace()!.batch(m, other, from, to, k, mt)!;
      batch.p.set(randomArray(rows * k, 7));
      batch.ap.set(randomArray(rows * k, 8));
      for (let u = 0; u < rows; u++) batch.rs[u] = u % 5 === 0 ? 0 : 1;
      batch.correction(batch.p, batch.ap, first);
      return batch.ap.slice();
    };
    const byRow = run();
    // each row of the batch adds its entries in the same order either way: bit for bit equal
    expect(run(transpose(m))).toEqual(byRow);
  });

  it('reuses its memory for a smaller batch after a larger one', () => {
    const big = simdWorkspace()!.batch(m, other, 0, 300, k)!;
    big.x.fill(1);
    const small = simdWorkspace()!.batch(m, other, 10, 20, k)!;
    expect(small.x.length).toBe(10 * k);
    expect(small.x.buffer).toBe(big.x.buffer);
  });

  it('leaves factor counts that are not a multiple of 4 to the plain loops', () => {
    expect(simdWorkspace()!.batch(m, randomArray(80 * 6, 9), from, to, 6)).toBeUndefined();
  });
});
