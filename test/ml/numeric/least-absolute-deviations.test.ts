import { describe, it, expect } from 'vitest';
import { leastAbsoluteDeviations } from '../../../src/ml/numeric/least-absolute-deviations.ts';

describe('least absolute deviations', () => {
  it('fits the median with an intercept alone (least squares would give the mean, 22)', () => {
    const w = leastAbsoluteDeviations(Float64Array.of(1, 1, 1, 1, 1), Float64Array.of(1, 2, 3, 4, 100), 1);
    expect(w[0]).toBeCloseTo(3, 4);
  });

  it('goes through the line most points lie on, whatever one outlier does', () => {
    // y = 2x + 1 at x = 0…5, except y(5) = 1000
    const x = Float64Array.from({ length: 12 }, (_, k) => (k % 2 === 0 ? Math.floor(k / 2) : 1));
    const y = Float64Array.of(1, 3, 5, 7, 9, 1000);
    const w = leastAbsoluteDeviations(x, y, 2);
    expect(w[0]).toBeCloseTo(2, 3);
    expect(w[1]).toBeCloseTo(1, 3);
  });

  it('refuses a matrix of the wrong shape', () => {
    expect(() => leastAbsoluteDeviations(new Float64Array(5), new Float64Array(3), 2)).toThrow(RangeError);
  });
});
