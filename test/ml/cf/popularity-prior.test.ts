import { describe, it, expect } from 'vitest';
import { addPopularityPrior, popularityPrior, TIE_BREAK_WEIGHT } from '../../../src/ml/cf/popularity-prior.ts';
import { topN } from '../../../src/ml/cf/top-n.ts';

const popularity = Float32Array.from([3, 10, 0, 7, 5]);
const prior = popularityPrior(popularity);

describe('popularity prior for neighbourhood scores', () => {
  it('scales popularity to [0, 1]', () => {
    expect(Array.from(prior)).toEqual([0.3, 1, 0, 0.7, 0.5].map((v) => Math.fround(v)));
  });

  it('a customer whose items have no neighbours (all zeros) gets the popularity order, not the lowest indices', () => {
    const scores = new Float32Array(5);
    expect(topN(scores, 3, undefined).map((s) => s.item)).toEqual([0, 1, 2]);
    addPopularityPrior(scores, prior, TIE_BREAK_WEIGHT);
    expect(topN(scores, 3, undefined).map((s) => s.item)).toEqual([1, 3, 4]);
  });

  it('the tie-break weight orders equal scores by popularity and leaves unequal ones alone', () => {
    const scores = Float32Array.from([0.5, 0.5, 0.2, 0.5, 0.9]);
    addPopularityPrior(scores, prior, TIE_BREAK_WEIGHT);
    expect(topN(scores, 5, undefined).map((s) => s.item)).toEqual([4, 1, 3, 0, 2]);
    // scaled to the customer's best score (0.9), plus at most 1e-4
    expect(scores[4]).toBeCloseTo(1 + TIE_BREAK_WEIGHT * 0.5, 6);
    expect(scores[2]).toBeCloseTo(0.2 / 0.9, 6);
  });

  it('a larger weight lets popularity outrank weak evidence', () => {
    const scores = Float32Array.from([0.05, 0, 0, 0, 1]);
    addPopularityPrior(scores, prior, 0.2);
    // item 1: 0 + 0.2 * 1 = 0.2 beats item 0: 0.05 + 0.2 * 0.3 = 0.11
    expect(topN(scores, 3, undefined).map((s) => s.item)).toEqual([4, 1, 3]);
  });

  it('with members, only those entries change', () => {
    const scores = Float32Array.from([2, 0, 4, 0, 1]);
    addPopularityPrior(scores, prior, 0.5, Int32Array.from([0, 1]));
    expect(scores[0]).toBeCloseTo(1 + 0.15, 6);
    expect(scores[1]).toBeCloseTo(0.5, 6);
    expect(Array.from(scores.subarray(2))).toEqual([4, 0, 1]);
  });
});
