import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectedAverageValue, fitGammaGamma } from '../../../src/ml/lifetime/gamma-gamma.ts';
import { readRepeatSummaryCsv } from '../../../src/import/repeat-summary-csv.ts';

const sig = (actual: number, expected: number, digits: number): void => {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(0.5 * 10 ** (1 - digits));
};

describe('fitGammaGamma on CDNOW (946 repeat customers)', async () => {
  const cdnow = await readRepeatSummaryCsv('data/cdnow/cdnow_customers_summary_with_transactions.csv', 'weeks');
  const fit = fitGammaGamma(cdnow);

  it('matches the reference fit (lifetimes: p 6.2488025, q 3.7445885, v 15.4477481, LL −4055.9232)', () => {
    expect(fit.diagnostics.customers).toBe(946);
    sig(fit.params.p, 6.2488025, 6);
    sig(fit.params.q, 3.7445885, 6);
    sig(fit.params.v, 15.4477481, 6);
    expect(fit.logLikelihood).toBeCloseTo(-4055.9232, 3);
    expect(fit.converged).toBe(true);
  });

  it('gives the reference expected average values for IDs 1–5', () => {
    const expected = [24.658616, 18.91148, 35.171002, 35.171002, 35.171002];
    expected.forEach((v, i) => sig(expectedAverageValue(fit.params, cdnow.frequency[i]!, cdnow.monetary![i]!), v, 7));
  });

  it('shrinks each customer’s mean towards the population mean, more for fewer purchases', () => {
    const population = (fit.params.p * fit.params.v) / (fit.params.q - 1);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0.01, max: 1e4, noNaN: true }), (x, m) => {
        const e = expectedAverageValue(fit.params, x, m);
        const more = expectedAverageValue(fit.params, x + 1, m);
        const lo = Math.min(m, population) * (1 - 1e-12);
        const hi = Math.max(m, population) * (1 + 1e-12);
        return e >= lo && e <= hi && Math.abs(more - m) <= Math.abs(e - m) * (1 + 1e-12);
      }),
    );
  });

  it('rejects missing or invalid spend', () => {
    const noValues = { frequency: cdnow.frequency, recency: cdnow.recency, T: cdnow.T, unit: 'weeks' as const };
    expect(() => fitGammaGamma(noValues)).toThrow(/monetary values are required/);
    const zero = { ...noValues, monetary: Float64Array.from(cdnow.monetary!, (m, i) => (i === 0 ? 0 : m)) };
    expect(() => fitGammaGamma(zero)).toThrow(/customer 0: monetary value 0 for a repeat customer/);
    const onlyNew = { frequency: Float64Array.of(0), recency: Float64Array.of(0), T: Float64Array.of(3), monetary: Float64Array.of(0), unit: 'weeks' as const };
    expect(() => fitGammaGamma(onlyNew)).toThrow(/no repeat customers/);
  });
});
