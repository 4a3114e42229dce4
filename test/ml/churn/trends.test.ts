// The behaviour trends and the new churn features on a small log whose values are worked out by hand.
import { describe, it, expect } from 'vitest';
import { CHURN_FEATURE_NAMES, churnFeatureMatrix } from '../../../src/ml/churn/features.ts';
import { customerTrends } from '../../../src/ml/churn/trends.ts';
import { PurchaseLogBuilder, sliceByTime } from '../../../src/ml/customers/purchase-log.ts';
import { summarizeCustomers } from '../../../src/ml/customers/summary.ts';

const t = (s: string): number => Date.parse(`${s}Z`);
const CUTOFF = t('2011-03-01T00:00:00');

function smallLog() {
  const b = new PurchaseLogBuilder();
  // A: three orders, days 0, 10 and 40; values 7, 1.5 and 9; 2, 1 and 2 lines
  b.add('A', 'i1', 'o1', 2, 1.5, t('2011-01-01T10:00:00'));
  b.add('A', 'i2', 'o1', 1, 4, t('2011-01-01T10:00:00'));
  b.add('A', 'i1', 'o2', 1, 1.5, t('2011-01-11T10:00:00'));
  b.add('A', 'i3', 'o3', 3, 2, t('2011-02-10T10:00:00'));
  b.add('A', 'i1', 'o3', 2, 1.5, t('2011-02-10T10:00:00'));
  b.addCancellation('A', -1, 1.5, t('2011-01-12T10:00:00'));
  b.addCancellation('A', -2, 2, t('2011-03-05T10:00:00')); // after the cutoff
  // B: one order of one line, value 20
  b.add('B', 'i2', 'o4', 5, 4, t('2011-02-01T10:00:00'));
  // C cancels but never buys: not a customer of the log
  b.addCancellation('C', -1, 3, t('2011-01-20T10:00:00'));
  return b.build();
}

describe('purchase log cancellations', () => {
  it('keeps the cancelled lines of customers with purchases, apart from the purchase columns', () => {
    const log = smallLog();
    expect(log.customerIds).toEqual(['A', 'B']);
    expect(log.time.length).toBe(6);
    expect(Array.from(log.cancellations!.customer)).toEqual([0, 0]);
    expect(Array.from(log.cancellations!.value)).toEqual([1.5, 4]);
    const before = sliceByTime(log, 0, CUTOFF);
    expect(Array.from(before.cancellations!.time)).toEqual([t('2011-01-12T10:00:00')]);
  });
});

describe('customer trends', () => {
  const log = smallLog();
  const summary = summarizeCustomers(log, CUTOFF);
  const trends = customerTrends(log, summary, 30);
  const a = summary.entryOf[0]!;
  const b = summary.entryOf[1]!;

  it('share of lines cancelled before the cutoff: 1 of 5 + 1 for A, none for B', () => {
    expect(trends.cancelledLineShare[a]).toBe(1 / 6);
    expect(trends.cancelledLineShare[b]).toBe(0);
  });

  it('last gap / mean gap, last order value / mean order value, last order lines / mean lines', () => {
    expect(trends.lastGapRatio[a]).toBeCloseTo(30 / 20, 12);
    expect(trends.lastOrderValueRatio[a]).toBeCloseTo(9 / (17.5 / 3), 12);
    expect(trends.lastOrderLinesRatio[a]).toBeCloseTo(2 / (5 / 3), 12);
    // a single order has no trend: neutral ratios
    expect([trends.lastGapRatio[b], trends.lastOrderValueRatio[b], trends.lastOrderLinesRatio[b]]).toEqual([1, 1, 1]);
  });

  it('spend in the last horizon (30 days before the cutoff)', () => {
    expect(trends.spendLastHorizon[a]).toBe(9);
    expect(trends.spendLastHorizon[b]).toBe(20);
  });

  it('a gap ratio needs three orders: with two, last gap = mean gap', () => {
    const two = summarizeCustomers(log, t('2011-02-01T00:00:00'));
    expect(customerTrends(log, two, 30).lastGapRatio[two.entryOf[0]!]).toBe(1);
  });

  it('enter the feature matrix as share and log ratios', () => {
    const bg = { pNoPurchase: Float64Array.of(0.5, 0.5), pAlive: Float64Array.of(1, 1), expectedPurchases: Float64Array.of(1, 1) };
    const x = churnFeatureMatrix(summary, bg, trends);
    const d = CHURN_FEATURE_NAMES.length;
    const col = (name: string) => x[a * d + CHURN_FEATURE_NAMES.indexOf(name)]!;
    expect(col('cancelled_line_share')).toBeCloseTo(1 / 6, 6);
    expect(col('log1p_last_gap_ratio')).toBeCloseTo(Math.log(2.5), 6);
    expect(col('log_last_order_value_ratio')).toBeCloseTo(Math.log(27 / 17.5), 6);
    expect(col('log_last_order_lines_ratio')).toBeCloseTo(Math.log(1.2), 6);
  });
});
