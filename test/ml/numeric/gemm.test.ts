import { describe, expect, it } from 'vitest';
import { createArena, gemm } from '../../../src/ml/numeric/gemm.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';

/** C += alpha A B in Float64 plain loops, for comparison. */
function reference(c: Float32Array, ldc: number, a: Float32Array, lda: number, b: Float32Array, ldb: number, rows: number, cols: number, depth: number, alpha: number): Float64Array {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0;
      for (let p = 0; p < depth; p++) s += a[i * lda + p]! * b[p * ldb + j]!;
      out[i * cols + j] = c[i * ldc + j]! + alpha * s;
    }
  }
  return out;
}

describe('gemm (WebAssembly SIMD)', () => {
  // shapes on both sides of the 4 x 8 tile, leading dimensions wider than the matrices
  it.each([
    [1, 1, 1], [3, 7, 5], [4, 8, 1], [5, 9, 3], [9, 17, 33], [12, 24, 16], [13, 31, 64], [64, 64, 64], [130, 70, 256],
  ])('adds alpha A B to C for %i x %i (depth %i) as plain loops do', (rows, cols, depth) => {
    const rng = createRng(rows * 1000 + cols);
    const [ldc, lda, ldb] = [cols + 3, depth + 1, cols + 5];
    const { memory, arrays } = createArena([rows * ldc, rows * lda, depth * ldb]);
    const [c, a, b] = arrays as [Float32Array, Float32Array, Float32Array];
    for (const m of [c, a, b]) for (let i = 0; i < m.length; i++) m[i] = rng.normal();
    const before = c.slice();
    const expected = reference(c, ldc, a, lda, b, ldb, rows, cols, depth, -0.5);
    gemm(memory, c, ldc, a, lda, b, ldb, rows, cols, depth, -0.5);
    let worst = 0;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) worst = Math.max(worst, Math.abs(c[i * ldc + j]! - expected[i * cols + j]!));
    expect(worst).toBeLessThan(1e-4 * Math.sqrt(depth));
    // the padding between rows is untouched
    for (let i = 0; i < rows; i++) for (let j = cols; j < ldc; j++) expect(c[i * ldc + j]).toBe(before[i * ldc + j]);
  });

  it('refuses an arena past 4 GiB with a clear error', () => {
    expect(() => createArena([2 ** 30, 16])).toThrow(/at most 4 GiB/);
  });
});
