import { describe, expect, it } from 'vitest';
import { fitBgNbd } from '../../src/ml/bg-nbd.ts';
import { fitGammaGamma } from '../../src/ml/gamma-gamma.ts';
import { customerLifetimeValue, customerValues } from '../../src/ml/clv.ts';
import { readRepeatSummaryCsv } from '../../src/import/repeat-summary-csv.ts';
import { DAY_MS } from '../../src/ml/purchase-log.ts';

describe('customerLifetimeValue on CDNOW (weeks)', async () => {
  const cdnow = await readRepeatSummaryCsv('data/cdnow/cdnow_customers_summary_with_transactions.csv', 'weeks');
  const purchases = fitBgNbd(cdnow);
  const spend = fitGammaGamma(cdnow);
  const customer = (i: number) => ({ x: cdnow.frequency[i]!, tx: cdnow.recency[i]!, T: cdnow.T[i]!, monetary: cdnow.monetary![i]! });

  it('reproduces the reference 12-month CLV at 1% a month with lifetimes’ month of 4.345 weeks', () => {
    const lifetimesMonth = { periods: 12, discountRate: 0.01, periodDays: 4.345 * 7 };
    expect(customerLifetimeValue(purchases, spend, customer(0), lifetimesMonth)).toBeCloseTo(36.278, 3);
    expect(customerLifetimeValue(purchases, spend, customer(1), lifetimesMonth)).toBeCloseTo(4.637, 3);
    expect(customerLifetimeValue(purchases, spend, customer(2), lifetimesMonth)).toBeCloseTo(8.344, 3);
  });

  it('does not have the days-default pitfall: a week-based fit reads the horizon in days', () => {
    // Defaults: 12 months of 365/12 days, converted to weeks because the fit is in weeks.
    const clv = customerLifetimeValue(purchases, spend, customer(0));
    expect(clv).toBeCloseTo(36.28, 2);
    // lifetimes' 140.10 is what 30 *weeks* per "month" gives: the unit confusion, reproduced on purpose.
    expect(customerLifetimeValue(purchases, spend, customer(0), { periodDays: 30 * 7 })).toBeCloseTo(140.1, 1);
    // The same customers in days give the same CLV.
    const inDays = fitBgNbd({ ...cdnow, recency: cdnow.recency.map((v) => v * 7), T: cdnow.T.map((v) => v * 7), unit: 'days' });
    const c = customer(0);
    expect(customerLifetimeValue(inDays, spend, { ...c, tx: c.tx * 7, T: c.T * 7 })).toBeCloseTo(clv, 4);
  });

  it('scores every customer: CLV grows with the horizon, discounting lowers it, next order after the cutoff', () => {
    const cutoff = Date.UTC(1997, 8, 30);
    const values = customerValues(purchases, spend, { ...cdnow, monetary: cdnow.monetary! }, cutoff);
    const longer = customerValues(purchases, spend, { ...cdnow, monetary: cdnow.monetary! }, cutoff, { periods: 24 });
    const undiscounted = customerValues(purchases, spend, { ...cdnow, monetary: cdnow.monetary! }, cutoff, { discountRate: 0 });
    expect(values.clv[0]).toBeCloseTo(customerLifetimeValue(purchases, spend, customer(0)), 10);
    for (let i = 0; i < cdnow.frequency.length; i++) {
      expect(values.clv[i]).toBeGreaterThan(0);
      expect(longer.clv[i]).toBeGreaterThan(values.clv[i]!);
      expect(undiscounted.clv[i]).toBeGreaterThan(values.clv[i]!);
      expect(values.expectedNextOrderAt[i]).toBeGreaterThan(cutoff);
      expect(values.probabilityAlive[i]).toBeLessThanOrEqual(1);
    }
    // Customer 1 (x = 2, T = 38.86 weeks): median wait (α+T)(2^(1/(r+x)) − 1) weeks.
    const { r, alpha } = purchases.params;
    const weeks = (alpha + 38.86) * (2 ** (1 / (r + 2)) - 1);
    expect((values.expectedNextOrderAt[0]! - cutoff) / DAY_MS).toBeCloseTo(weeks * 7, 6);
  });

  it('rejects nonsense options', () => {
    expect(() => customerLifetimeValue(purchases, spend, customer(0), { periods: 0 })).toThrow(/periods/);
    expect(() => customerLifetimeValue(purchases, spend, customer(0), { discountRate: -1 })).toThrow(/discountRate/);
    expect(() => customerLifetimeValue(purchases, spend, customer(0), { periodDays: Number.NaN })).toThrow(/periodDays/);
  });
});
