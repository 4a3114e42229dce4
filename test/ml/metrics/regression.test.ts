import { describe, it, expect } from 'vitest';
import { meanAbsoluteError, midRanks, spearmanCorrelation } from '../../../src/ml/metrics/regression.ts';

describe('regression metrics', () => {
  it('MAE is the mean absolute difference', () => {
    expect(meanAbsoluteError([0, 0, 10, 20], [5, 0, 10, 40])).toBe(6.25);
    expect(meanAbsoluteError([3], [3])).toBe(0);
  });

  it('mid-ranks share the mean rank of a run of ties', () => {
    expect(Array.from(midRanks([3, 1, 3, 2]))).toEqual([3.5, 1, 3.5, 2]);
    expect(Array.from(midRanks([0, 0, 0]))).toEqual([2, 2, 2]);
  });

  it("Spearman's rho with ties is the Pearson correlation of mid-ranks (hand-checked: 3/sqrt(10))", () => {
    // ranks [1.5, 1.5, 3, 4] and [2, 1, 3, 4]: sxy 4.5, sxx 4.5, syy 5
    expect(spearmanCorrelation([0, 0, 10, 20], [5, 0, 10, 40])).toBeCloseTo(3 / Math.sqrt(10), 12);
    expect(spearmanCorrelation([1, 2, 3], [10, 20, 30])).toBeCloseTo(1, 12);
    expect(spearmanCorrelation([1, 2, 3], [30, 20, 10])).toBeCloseTo(-1, 12);
  });

  it('Spearman is NaN for a constant side, and both metrics refuse mismatched or empty input', () => {
    expect(spearmanCorrelation([1, 2, 3], [0, 0, 0])).toBeNaN();
    expect(() => meanAbsoluteError([1, 2], [1])).toThrow(RangeError);
    expect(() => spearmanCorrelation([], [])).toThrow(RangeError);
  });
});
