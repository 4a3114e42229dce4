import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { fitAls, type AlsOptions } from '../../../src/ml/cf/als.ts';
import { csrFromPairs, withValues, type Csr } from '../../../src/ml/cf/sparse.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';
import { setThreadCount } from '../../../src/ml/numeric/threads.ts';

beforeAll(async () => {
  await initTf();
});

afterAll(() => setThreadCount(undefined));

/** Seeded purchases: customers with 1-40 items from a skewed catalog, strengths ln(1 + lines). */
function purchases(rows: number, cols: number, seed: number): Csr {
  const rng = createRng(seed);
  const r: number[] = [];
  const c: number[] = [];
  for (let u = 0; u < rows; u++) {
    const basket = 1 + rng.int(40);
    for (let j = 0; j < basket; j++) {
      r.push(u);
      c.push(Math.floor(cols * rng.next() ** 2));
    }
  }
  const m = csrFromPairs(rows, cols, Int32Array.from(r), Int32Array.from(c));
  return withValues(m, m.values.map(() => Math.log1p(1 + rng.int(3))));
}

function fitWith(threads: number, x: Csr, options: Partial<AlsOptions>) {
  setThreadCount(threads);
  return fitAls(x, { factors: 16, iterations: 4, regularization: 1, alpha: 2, ...options });
}

/** max |a - b| / max |b|. */
function relativeError(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

describe('iALS on several threads', () => {
  // 6,000 customers: enough rows for both sweeps to be split (one thread below 1,024 rows each)
  const x = purchases(6000, 2500, 11);

  // 16 factors: the CG's sparse passes in WebAssembly SIMD; 6: in plain loops (als-simd.ts)
  it.each([
    ['cg', 16],
    ['cg', 6],
    ['exact', 16],
  ] as const)('gives the same factors on 1 and 2 threads (%s solver, %i factors)', (solver, factors) => {
    const one = fitWith(1, x, { solver, factors, seed: 3 });
    const two = fitWith(2, x, { solver, factors, seed: 3 });
    // rows are solved independently of how they are split, so only the tfjs products could
    // round differently (measured here: bit for bit identical, on both solvers)
    expect(relativeError(two.userFactors, one.userFactors)).toBeLessThan(1e-6);
    expect(relativeError(two.itemFactors, one.itemFactors)).toBeLessThan(1e-6);
    expect(relativeError(two.foldIn.gram, one.foldIn.gram)).toBeLessThan(1e-6);
    // and the model is a real fit, not zeros: the factors moved away from their 0.01-scale start
    expect(Math.max(...one.itemFactors.map(Math.abs))).toBeGreaterThan(0.1);
  });

  it('gives different factors for a different seed, the same for the same seed', () => {
    const a = fitWith(2, x, { seed: 3, iterations: 2 });
    const b = fitWith(2, x, { seed: 3, iterations: 2 });
    const c = fitWith(2, x, { seed: 4, iterations: 2 });
    expect(relativeError(b.userFactors, a.userFactors)).toBe(0);
    expect(relativeError(c.userFactors, a.userFactors)).toBeGreaterThan(1e-3);
  });
});
