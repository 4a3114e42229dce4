import { describe, it, expect } from 'vitest';
import { averagePrecision, brierScore, calibrationTable, liftAt, rocAuc } from '../../../src/ml/metrics/classification.ts';

describe('rocAuc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 when all scores tie', () => {
    const y = [0, 0, 1, 1];
    expect(rocAuc(y, [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc(y, [0.9, 0.8, 0.2, 0.1])).toBe(0);
    expect(rocAuc(y, [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
  });

  it('counts tied positive/negative pairs as one half (hand-computed)', () => {
    // pairs (pos, neg): (0.35 vs 0.1) win, (0.35 vs 0.4) loss, (0.8 vs both) wins → 3/4
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    // one tie among 4 pairs: 3 wins + 0.5 → 0.875
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.4, 0.8])).toBe(0.875);
  });

  it('rejects one-class data, mismatched lengths and non-binary labels', () => {
    expect(() => rocAuc([1, 1], [0.1, 0.2])).toThrow(/both positives and negatives/);
    expect(() => rocAuc([1, 0], [0.1])).toThrow(/differ in length/);
    expect(() => rocAuc([2, 0], [0.1, 0.2])).toThrow(/expected 0 or 1/);
    expect(() => rocAuc([1, 0], [NaN, 0.2])).toThrow(/finite/);
  });
});

describe('averagePrecision', () => {
  it('matches the hand computation Σ (Rₙ − Rₙ₋₁)·Pₙ', () => {
    // ranked 0.8(+) 0.4(−) 0.35(+) 0.1(−): 0.5·1 + 0.5·(2/3) = 0.8333…
    expect(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(5 / 6, 12);
  });

  it('is 1 for a perfect ranking and the base rate when every score ties', () => {
    expect(averagePrecision([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8])).toBe(1);
    expect(averagePrecision([0, 1, 0, 0], [0.3, 0.3, 0.3, 0.3])).toBe(0.25);
  });
});

describe('brierScore', () => {
  it('averages squared errors (worked example)', () => {
    // (0.1² + 0.1² + 0.2² + 0.3²) / 4 = 0.15 / 4
    expect(brierScore([0, 1, 1, 0], [0.1, 0.9, 0.8, 0.3])).toBeCloseTo(0.0375, 12);
    expect(brierScore([0, 1], [0.5, 0.5])).toBe(0.25);
  });
});

describe('liftAt', () => {
  it('divides the positive rate of the top decile by the base rate', () => {
    const y = [1, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const s = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
    expect(liftAt(y, s, 0.1)).toBe(5); // top 1 of 10 is positive; base rate 0.2
    expect(liftAt(y, s, 0.2)).toBe(2.5); // 1 of top 2
    expect(liftAt(y, s, 1)).toBe(1);
  });

  it('is 1 for a constant score (ties share the top decile pro rata)', () => {
    const y = [1, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    expect(liftAt(y, new Array(10).fill(0.3), 0.1)).toBeCloseTo(1, 12);
    // top 2 of [9, 5, 5, 5, 1…]: the 9 (positive) plus 1/3 of the tied group's single positive
    expect(liftAt([1, 1, 0, 0, 0, 0], [9, 5, 5, 5, 1, 1], 2 / 6)).toBeCloseTo((1 + 1 / 3) / 2 / (2 / 6), 12);
  });
});

describe('calibrationTable', () => {
  it('bins predictions by equal width and reports mean prediction and observed rate', () => {
    const table = calibrationTable([0, 1, 1, 1], [0.05, 0.15, 0.95, 1], 10);
    expect(table).toEqual([
      { lower: 0, upper: 0.1, count: 1, meanPredicted: 0.05, observedRate: 0 },
      { lower: 0.1, upper: 0.2, count: 1, meanPredicted: 0.15, observedRate: 1 },
      { lower: 0.9, upper: 1, count: 2, meanPredicted: 0.975, observedRate: 1 },
    ]);
  });
});
