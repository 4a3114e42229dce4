import { describe, it, expect } from 'vitest';
import { clvHoldout, formatClvHoldout } from '../../../src/ml/churn/clv-holdout.ts';

describe('holdout spend comparison', () => {
  const actual = Float64Array.of(0, 0, 10, 20);
  const c = clvHoldout(actual, [['zero', new Float64Array(4)], ['model', [5, 0, 10, 40]]], 30);

  it('gives MAE, Spearman (ties at mid-rank) and totals per predictor, hand-checked', () => {
    expect(c).toMatchObject({ days: 30, customers: 4, actualTotal: 30 });
    expect(c.rows[0]).toMatchObject({ predictor: 'zero', mae: 7.5, predictedTotal: 0 });
    expect(c.rows[0]!.spearman).toBeNaN();
    expect(c.rows[1]).toMatchObject({ predictor: 'model', mae: 6.25, predictedTotal: 55 });
    expect(c.rows[1]!.spearman).toBeCloseTo(3 / Math.sqrt(10), 12);
  });

  it('formats one line per predictor, a constant prediction without Spearman', () => {
    const lines = formatClvHoldout(c).trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('customer value in the holdout (30 days): spend per customer, 4 customers, actual total 30.00');
    expect(lines[2]).toMatch(/^ {2}zero\s+7\.5\s+—\s+0\.000$/);
    expect(lines[3]).toMatch(/^ {2}model\s+6\.3\s+0\.949\s+1\.833$/);
  });
});
