import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { quintileScores, rfmSegments, SEGMENTS } from '../../../src/ml/customers/rfm.ts';

describe('quintileScores', () => {
  it('spreads distinct values evenly over 1–5 and gives ties one score', () => {
    const v = Float64Array.from({ length: 100 }, (_, i) => i);
    const s = quintileScores(v);
    for (let k = 1; k <= 5; k++) expect(s.filter((x) => x === k).length).toBe(20);
    expect(s[0]).toBe(1);
    expect(s[99]).toBe(5);
    expect(quintileScores(v, true)[0]).toBe(5);
    const tied = quintileScores(Float64Array.of(1, 1, 1, 1, 1, 1, 2, 3, 4, 5));
    expect(new Set(Array.from(tied.slice(0, 6))).size).toBe(1);
  });

  it('equals the mid-rank definition on arrays with many ties', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 1, maxLength: 60 }), (xs) => {
        const v = Float64Array.from(xs);
        const scores = quintileScores(v);
        return xs.every((x, i) => {
          const below = xs.filter((y) => y < x).length;
          const equal = xs.filter((y) => y === x).length;
          const midRank = below + (equal + 1) / 2;
          return scores[i] === Math.min(5, 1 + Math.floor((5 * (midRank - 0.5)) / xs.length));
        });
      }),
    );
  });
});

describe('rfmSegments', () => {
  it('applies the documented rules in order', () => {
    // 10 customers: days since last purchase, orders, mean order value.
    const since = Float64Array.of(1, 2, 3, 4, 5, 60, 70, 80, 90, 100);
    const orders = Float64Array.of(20, 1, 2, 9, 1, 30, 1, 25, 1, 1);
    const value = Float64Array.of(90, 10, 20, 80, 5, 50, 1, 60, 2, 3);
    const s = rfmSegments({ daysSinceLastPurchase: since, orders, meanOrderValue: value });
    const names = Array.from(s.segment, (k) => SEGMENTS[k]);
    expect(Array.from(s.r)).toEqual([5, 5, 4, 4, 3, 3, 2, 2, 1, 1]);
    expect(names[0]).toBe('champions');
    expect(names[1]).toBe('new');
    expect(names[2]).toBe('promising');
    expect(names[3]).toBe('champions');
    expect(names[5]).toBe('loyal');
    expect(names[7]).toBe('at risk');
    expect(names[6]).toBe('hibernating');
    expect(names[8]).toBe('lost');
    expect(names[4]).toBe('needs attention');
  });
});
