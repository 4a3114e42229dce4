import { describe, expect, it } from 'vitest';
import { fitBgNbd } from '../../../src/ml/lifetime/bg-nbd.ts';
import { fitGammaGamma } from '../../../src/ml/lifetime/gamma-gamma.ts';
import { customerLifetimeValue, customerValues } from '../../../src/ml/lifetime/clv.ts';
import { readRepeatSummaryCsv } from '../../../src/import/repeat-summary-csv.ts';
import { DAY_MS } from '../../../src/ml/customers/purchase-log.ts';
import { readPurchaseLog } from '../../../src/import/read-purchase-log.ts';
import { summarizeCustomers } from '../../../src/ml/customers/summary.ts';

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
    const inDays = { ...cdnow, monetary: cdnow.monetary!, unit: 'days' as const };
    expect(() => customerValues(purchases, spend, inDays, 0)).toThrow(/summary is in days but the BG\/NBD fit is in weeks/);
  });
});

describe('customerValues on Online Retail (holdout 2011-09-09 to 2011-12-10)', () => {
  it('predicts the reference purchase-days and revenue, far below the Christmas-season actuals', async () => {
    const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');
    const cutoff = Date.UTC(2011, 8, 9);
    const end = Date.UTC(2011, 11, 10);
    const summary = summarizeCustomers(log, cutoff, 'days');
    const purchases = fitBgNbd(summary);
    const spend = fitGammaGamma(summary);
    expect(spend.diagnostics.customers).toBe(1949);
    // One undiscounted period of 92 days: CLV = E[Y(92)] × E[M].
    const values = customerValues(purchases, spend, summary, cutoff, { periods: 1, periodDays: (end - cutoff) / DAY_MS, discountRate: 0 });
    const revenue = new Float64Array(log.customerIds.length);
    const days = new Set<string>();
    for (let i = 0; i < log.time.length; i++) {
      const t = log.time[i]!;
      if (t < cutoff || t >= end) continue;
      revenue[log.customer[i]!] = revenue[log.customer[i]!]! + log.quantity[i]! * log.unitPrice[i]!;
      if (summary.entryOf[log.customer[i]!]! >= 0) days.add(`${log.customer[i]}:${Math.floor(t / DAY_MS)}`);
    }
    let predictedDays = 0;
    let predictedRevenue = 0;
    let actualRevenue = 0;
    let absoluteError = 0;
    for (let e = 0; e < summary.frequency.length; e++) {
      const actual = revenue[summary.customer[e]!]!;
      predictedDays += values.expectedPurchases[e]!;
      predictedRevenue += values.clv[e]!;
      actualRevenue += actual;
      absoluteError += Math.abs(values.clv[e]! - actual);
    }
    // REFERENCE.md §2: 3,387 purchase-days, revenue 1,603,346, MAE 641.1; actual 4,510 days and 2,870,995.19.
    expect(days.size).toBe(4510);
    expect(actualRevenue).toBeCloseTo(2_870_995.19, 1);
    expect(predictedDays).toBeCloseTo(3387, 0);
    expect(Math.abs(predictedRevenue / 1_603_346 - 1)).toBeLessThan(1e-4);
    expect(absoluteError / summary.frequency.length).toBeCloseTo(641.1, 1);
  });
});
