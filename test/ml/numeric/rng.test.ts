import { describe, expect, it } from 'vitest';
import { createRng, gammaVariate, shuffled } from '../../../src/ml/numeric/rng.ts';

describe('createRng', () => {
  it('is reproducible per seed and different across seeds', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(xs);
  });

  it('gives uniform values with the right mean and normals with unit variance', () => {
    const rng = createRng(7);
    let sum = 0, sq = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) sum += rng.next();
    expect(sum / n).toBeCloseTo(0.5, 2);
    sum = 0;
    for (let i = 0; i < n; i++) { const z = rng.normal(); sum += z; sq += z * z; }
    expect(sum / n).toBeCloseTo(0, 1);
    expect(sq / n).toBeCloseTo(1, 1);
  });

  it('shuffles a copy into a permutation', () => {
    const input = Int32Array.from({ length: 100 }, (_, i) => i);
    const out = shuffled(input, createRng(1));
    expect(out).not.toEqual(input);
    expect([...out].sort((x, y) => x - y)).toEqual([...input]);
    expect(input[0]).toBe(0);
  });
});

describe('gammaVariate', () => {
  it('has mean and variance equal to its shape, below and above shape 1', () => {
    for (const shape of [0.5, 3]) {
      const rng = createRng(11);
      const n = 200_000;
      let sum = 0, sq = 0;
      for (let i = 0; i < n; i++) { const g = gammaVariate(rng, shape); sum += g; sq += g * g; }
      const mean = sum / n;
      expect(mean).toBeCloseTo(shape, 1);
      expect(sq / n - mean * mean).toBeCloseTo(shape, 0);
    }
  });
});
