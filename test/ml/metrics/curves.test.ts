import { describe, it, expect } from 'vitest';
import { liftAt, rocAuc } from '../../../src/ml/metrics/classification.ts';
import { scoreCurves, trapezoidArea } from '../../../src/ml/metrics/curves.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';

function noisyScores(n: number, seed: number): { y: Uint8Array; s: Float64Array } {
  const rng = createRng(seed);
  const y = new Uint8Array(n);
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.next() < 0.4 ? 1 : 0;
    // rounded to make tie groups, as calibrated probabilities of similar customers have
    s[i] = Math.round((y[i]! * 0.3 + rng.next()) * 50) / 50;
  }
  return { y, s };
}

describe('scoreCurves', () => {
  it('gives the hand-computed ROC and gains of a small example', () => {
    const c = scoreCurves([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1]);
    expect(c.roc.fpr).toEqual([0, 0, 0.5, 0.5, 1]);
    expect(c.roc.tpr).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(c.gains.targeted).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(c.gains.captured).toEqual([0, 0.5, 0.5, 1, 1]);
  });

  it('has, at full resolution, the area of rocAuc (ties included) and the lift of liftAt', () => {
    const { y, s } = noisyScores(2000, 3);
    const full = scoreCurves(y, s, 1e9);
    expect(trapezoidArea(full.roc.fpr, full.roc.tpr)).toBeCloseTo(rocAuc(y, s), 12);
    // at a point where no tie group straddles, captured/targeted is liftAt at that fraction
    const k = full.gains.targeted.findIndex((t) => t >= 0.1);
    const fraction = full.gains.targeted[k]!;
    expect(full.gains.captured[k]! / fraction).toBeCloseTo(liftAt(y, s, fraction), 10);
  });

  it('down-samples to at most maxPoints, keeping both ends and monotone axes', () => {
    const { y, s } = noisyScores(5000, 9);
    const c = scoreCurves(y, s, 30);
    expect(c.roc.fpr.length).toBeLessThanOrEqual(30);
    expect(c.roc.fpr.length).toBeGreaterThan(20);
    expect([c.roc.fpr[0], c.roc.tpr[0], c.roc.fpr.at(-1), c.roc.tpr.at(-1)]).toEqual([0, 0, 1, 1]);
    for (let k = 1; k < c.gains.targeted.length; k++) {
      expect(c.gains.targeted[k]!).toBeGreaterThan(c.gains.targeted[k - 1]!);
      expect(c.roc.tpr[k]!).toBeGreaterThanOrEqual(c.roc.tpr[k - 1]!);
    }
    // the sampled curve stays close to the true area
    expect(Math.abs(trapezoidArea(c.roc.fpr, c.roc.tpr) - rocAuc(y, s))).toBeLessThan(0.01);
  });

  it('rejects one-class data and bad labels', () => {
    expect(() => scoreCurves([1, 1], [0.1, 0.2])).toThrow(/both positives and negatives/);
    expect(() => scoreCurves([2, 0], [0.1, 0.2])).toThrow(/expected 0 or 1/);
  });
});
