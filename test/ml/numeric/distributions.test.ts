import { describe, expect, it } from 'vitest';
import { erfc, normalCdf, normalQuantile, studentTCdf, studentTQuantile } from '../../../src/ml/numeric/distributions.ts';

describe('normal and t distributions', () => {
  it('match published normal table values', () => {
    // Abramowitz & Stegun Table 26.1 / standard tables
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1)).toBeCloseTo(0.841344746068543, 12);
    expect(normalCdf(-1.96)).toBeCloseTo(0.0249978951482204, 12);
    expect(normalCdf(-3)).toBeCloseTo(0.00134989803163009, 14);
    expect(erfc(3)).toBeCloseTo(2.20904969985854e-5, 16);
    expect(normalCdf(-8) / 6.22096057427174e-16).toBeCloseTo(1, 10);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167814, 11);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 14);
  });

  it('inverts the normal CDF across the range', () => {
    for (const p of [1e-12, 1e-6, 0.01, 0.02425, 0.2, 0.5, 0.8, 0.97575, 0.999]) {
      expect(normalCdf(normalQuantile(p)) / p).toBeCloseTo(1, 9);
    }
  });

  it('gives the t table\'s two-sided 95% critical values', () => {
    // Student t table, t(0.975, df)
    const table: [number, number][] = [[1, 12.7062047], [2, 4.3026527], [5, 2.5705818], [10, 2.2281389], [30, 2.0422725], [120, 1.9799304]];
    for (const [df, t] of table) expect(studentTQuantile(0.975, df)).toBeCloseTo(t, 6);
    expect(studentTQuantile(0.975, 1e7)).toBeCloseTo(1.959964, 5);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.2281389, 6);
    // t with 1 df is Cauchy: P(T ≤ 1) = 3/4
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 12);
    expect(studentTCdf(-1, 1)).toBeCloseTo(0.25, 12);
    expect(studentTCdf(0, 7.5)).toBeCloseTo(0.5, 14);
  });
});
