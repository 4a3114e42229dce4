import { describe, it, expect } from 'vitest';
import { fitSpendModel, predictSpend, spendPredictors, SPEND_PREDICTORS } from '../../../src/ml/churn/spend.ts';
import { customerTrends } from '../../../src/ml/churn/trends.ts';
import { PurchaseLogBuilder } from '../../../src/ml/customers/purchase-log.ts';
import { summarizeCustomers } from '../../../src/ml/customers/summary.ts';

const d = SPEND_PREDICTORS.length;

/** Rows [bg, recent, runRate, p × runRate, 1] from a seeded-free grid. */
function grid(n: number): Float64Array {
  const x = new Float64Array(n * d);
  for (let i = 0; i < n; i++) x.set([(i * 37) % 101, (i * 53) % 89, (i * 71) % 97, (i * 29) % 83, 1], i * d);
  return x;
}

describe('spend predictors', () => {
  it('give each customer the CLV models, last-horizon spend, run rate and P(purchase) × run rate, worked out by hand', () => {
    const t = (s: string): number => Date.parse(`${s}Z`);
    const b = new PurchaseLogBuilder();
    b.add('A', 'i1', 'o1', 5, 4, t('2011-02-01T10:00:00')); // 20, 28 days before the cutoff
    b.add('B', 'i2', 'o2', 2, 5, t('2010-06-01T10:00:00')); // 10, 272 days 14 hours before the cutoff
    const log = b.build();
    const summary = summarizeCustomers(log, t('2011-03-01T00:00:00'), 'days');
    // single-order customers only: Gamma-Gamma is not fitted and the mean order value stands in
    const bgNbdScores = { pNoPurchase: Float64Array.of(0.75, 0.9), pAlive: Float64Array.of(1, 1), expectedPurchases: Float64Array.of(0.5, 0.2) };
    const x = spendPredictors({ summary, trends: customerTrends(log, summary, 92), bgNbdScores }, 92);
    const runRateB = (10 * 92) / (272 + 14 / 24);
    expect(Array.from(x.subarray(0, d))).toEqual([0.5 * 20, 20, 20, 0.25 * 20, 1]);
    [0.2 * 10, 0, runRateB, 0.1 * runRateB, 1].forEach((v, j) => expect(x[d + j]).toBeCloseTo(v, 12));
  });
});

describe('spend model (least absolute deviations)', () => {
  it('recovers exact weights, intercept included, from noise-free data', () => {
    const x = grid(200);
    const y = Float64Array.from({ length: 200 }, (_, i) => 0.5 * x[i * d]! + 2 * x[i * d + 1]! + 0.25 * x[i * d + 2]! - 0.75 * x[i * d + 3]! - 3);
    const m = fitSpendModel(x, y, 92);
    [0.5, 2, 0.25, -0.75, -3].forEach((w, j) => expect(m.weights[j]).toBeCloseTo(w, 6));
    expect(m.horizonDays).toBe(92);
  });

  it('ignores a few huge spenders that least squares would follow', () => {
    const x = grid(100);
    const y = Float64Array.from({ length: 100 }, (_, i) => x[i * d + 1]!);
    y[7] = 1e6;
    y[42] = 5e5;
    const m = fitSpendModel(x, y, 92);
    expect(m.weights[1]).toBeCloseTo(1, 4);
    expect(Math.abs(m.weights[0]!) + Math.abs(m.weights[2]!) + Math.abs(m.weights[3]!)).toBeLessThan(1e-4);
  });

  it('never predicts negative spend', () => {
    const p = predictSpend({ weights: Float64Array.of(1, 0, 0, 0, -10), horizonDays: 30 }, Float64Array.of(4, 0, 0, 0, 1, 25, 0, 0, 0, 1));
    expect(Array.from(p)).toEqual([0, 15]);
  });
});
