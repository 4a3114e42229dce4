import { describe, expect, it } from 'vitest';
import { DAY_MS, PurchaseLogBuilder } from '../../../src/ml/customers/purchase-log.ts';
import { checkRepeatSummary, summarizeCustomers } from '../../../src/ml/customers/summary.ts';
import { readPurchaseLog } from '../../../src/import/read-purchase-log.ts';
import { ValidationError } from '../../../src/errors.ts';
import { readTransactionsCsv } from '../../../src/import/transactions-csv.ts';
import { readRepeatSummaryCsv } from '../../../src/import/repeat-summary-csv.ts';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const day = (d: number, hour = 10): number => Date.UTC(2020, 0, 1) + d * DAY_MS + hour * 3_600_000;

function smallLog() {
  const b = new PurchaseLogBuilder();
  // ann: two orders on day 0, one on day 3 (two lines, same item twice), one on day 10; one after the cutoff.
  b.add('ann', 'i1', 'o1', 1, 10, day(0, 9));
  b.add('bob', 'i2', 'o5', 2, 5, day(12));
  b.add('ann', 'i2', 'o2', 2, 5, day(0, 15));
  b.add('ann', 'i1', 'o3', 1, 30, day(3));
  b.add('ann', 'i1', 'o3', 1, 30, day(3));
  b.add('ann', 'i3', 'o4', 4, 10, day(10));
  b.add('ann', 'i4', 'o7', 1, 99, day(14, 1));
  // cid: only after the cutoff.
  b.add('cid', 'i1', 'o6', 1, 10, day(20));
  return b.build();
}

describe('summarizeCustomers', () => {
  const cutoff = day(14, 0);
  it('counts repeat purchase days, recency, T and values like lifetimes (freq D)', () => {
    const log = smallLog();
    const s = summarizeCustomers(log, cutoff, 'days');
    expect(s.frequency.length).toBe(2);
    const ann = s.entryOf[log.customerIds.indexOf('ann')]!;
    const bob = s.entryOf[log.customerIds.indexOf('bob')]!;
    expect(s.entryOf[log.customerIds.indexOf('cid')]).toBe(-1);
    expect(s.customer[ann]).toBe(log.customerIds.indexOf('ann'));
    expect(s.frequency[ann]).toBe(2);
    expect(s.recency[ann]).toBe(10);
    expect(s.T[ann]).toBe(14);
    // Repeat days: day 3 (60) and day 10 (40).
    expect(s.monetary[ann]).toBe(50);
    expect(s.orders[ann]).toBe(4);
    expect(s.repeatOrders[ann]).toBe(3);
    expect(s.totalValue[ann]).toBe(10 + 10 + 60 + 40);
    expect(s.meanOrderValue[ann]).toBe(30);
    expect(s.ordersLast30Days[ann]).toBe(4);
    expect(s.ordersLast90Days[ann]).toBe(4);
    expect(s.distinctItems[ann]).toBe(3);
    expect(s.meanDaysBetweenOrders[ann]).toBeCloseTo((day(10) - day(0, 9)) / DAY_MS / 3, 12);
    expect(s.daysSinceLastPurchase[ann]).toBeCloseTo((cutoff - day(10)) / DAY_MS, 12);
    expect(s.firstPurchase[ann]).toBe(day(0, 9));
    expect(s.lastPurchase[ann]).toBe(day(10));
    expect(s.frequency[bob]).toBe(0);
    expect(s.recency[bob]).toBe(0);
    expect(s.T[bob]).toBe(2);
    expect(s.monetary[bob]).toBe(0);
    expect(s.meanDaysBetweenOrders[bob]).toBeNaN();
    expect(s.ordersLast30Days[bob]).toBe(1);
  });

  it('expresses recency and T in weeks when asked, keeping frequency in purchase days', () => {
    const s = summarizeCustomers(smallLog(), cutoff, 'weeks');
    expect(Array.from(s.frequency)).toEqual([2, 0]);
    expect(s.recency[0]).toBeCloseTo(10 / 7, 12);
    expect(s.T[0]).toBeCloseTo(2, 12);
    expect(s.unit).toBe('weeks');
  });

  it('rejects a non-finite cutoff', () => {
    expect(() => summarizeCustomers(smallLog(), Number.NaN)).toThrow(ValidationError);
  });

  it('finds the protocol customers of Online Retail at 2011-09-09 and passes the model check', async () => {
    const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');
    const cutoff = Date.UTC(2011, 8, 9);
    const s = summarizeCustomers(log, cutoff, 'days');
    expect(s.frequency.length).toBe(3_362);
    let orders = 0;
    let sinceLast = 0;
    for (let i = 0; i < s.orders.length; i++) {
      orders += s.orders[i]!;
      expect(s.frequency[i]).toBeLessThanOrEqual(s.repeatOrders[i]!);
      expect(s.recency[i]).toBeLessThanOrEqual(s.T[i]!);
      expect(s.ordersLast30Days[i]).toBeLessThanOrEqual(s.ordersLast90Days[i]!);
      sinceLast = Math.max(sinceLast, s.daysSinceLastPurchase[i]!);
    }
    const ordersBefore = new Set<number>();
    for (let i = 0; i < log.time.length; i++) if (log.time[i]! < cutoff) ordersBefore.add(log.order[i]!);
    expect(orders).toBe(ordersBefore.size);
    expect(sinceLast).toBeLessThanOrEqual((cutoff - Date.UTC(2010, 11, 1)) / DAY_MS);
    expect(() => checkRepeatSummary(s, { monetary: true })).not.toThrow();
  });
});

describe('summarizeCustomers on the CDNOW sample', () => {
  it('reproduces Hardie’s calibration summary (x, t_x, z̄; T runs one day further, to the cutoff)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'retain-rfm-'));
    try {
      const rows = readFileSync('data/cdnow/CDNOW_sample.txt', 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/));
      const csv = ['customer_id,date,value', ...rows.map(([c, , d, , v]) => `${Number(c)},${d!.slice(0, 4)}-${d!.slice(4, 6)}-${d!.slice(6)},${v}`)];
      writeFileSync(join(dir, 'tx.csv'), `${csv.join('\n')}\n`);
      const { log } = await readTransactionsCsv(join(dir, 'tx.csv'));
      const s = summarizeCustomers(log, Date.UTC(1997, 9, 1), 'weeks');
      const file = await readRepeatSummaryCsv('data/cdnow/cdnow_customers_summary_with_transactions.csv', 'weeks');
      expect(s.frequency.length).toBe(file.frequency.length);
      // The summary file numbers customers 1..2357 in the raw file's (sorted) customer order.
      for (let k = 0; k < file.ids.length; k++) {
        const e = s.entryOf[k]!;
        expect(s.frequency[e]).toBe(file.frequency[k]);
        expect(Math.abs(s.recency[e]! - file.recency[k]!)).toBeLessThanOrEqual(0.005 + 1e-9);
        expect(Math.abs(s.T[e]! - 1 / 7 - file.T[k]!)).toBeLessThanOrEqual(0.005 + 1e-9);
        expect(Math.abs(s.monetary[e]! - file.monetary![k]!)).toBeLessThanOrEqual(0.005 + 1e-9);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
