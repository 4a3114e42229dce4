import { describe, it, expect } from 'vitest';
import { fitSpendModel, predictSpend, SPEND_PREDICTORS } from '../../../src/ml/churn/spend.ts';

const d = SPEND_PREDICTORS.length;

/** Rows [bg, recent, runRate, 1] from a seeded-free grid. */
function grid(n: number): Float64Array {
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) x.set([(i * 37) % 101, (i * 53) % 89, (i * 71) % 97, 1], i * d);
  return x;
}

describe('spend model (least absolute deviations)', () => {
  it('recovers exact weights, intercept included, from noise-free data', () => {
    const x = grid(200);
    const y = Float64Array.from({ length: 200 }, (_, i) => 0.5 * x[i * d]! + 2 * x[i * d + 1]! + 0.25 * x[i * d + 2]! - 3);
    const m = fitSpendModel(x, y, 92);
    [0.5, 2, 0.25, -3].forEach((w, j) => expect(m.weights[j]).toBeCloseTo(w, 6));
    expect(m.horizonDays).toBe(92);
  });

  it('ignores a few huge spenders that least squares would follow', () => {
    const x = grid(100);
    const y = Float64Array.from({ length: 100 }, (_, i) => x[i * d + 1]!);
    y[7] = 1e6;
    y[42] = 5e5;
    const m = fitSpendModel(x, y, 92);
    expect(m.weights[1]).toBeCloseTo(1, 4);
    expect(Math.abs(m.weights[0]!) + Math.abs(m.weights[2]!)).toBeLessThan(1e-4);
  });

  it('never predicts negative spend', () => {
    const p = predictSpend({ weights: Float64Array.of(1, 0, 0, -10), horizonDays: 30 }, Float64Array.of(4, 0, 0, 1, 25, 0, 0, 1));
    expect(Array.from(p)).toEqual([0, 15]);
  });
});
