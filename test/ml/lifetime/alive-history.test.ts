import { describe, it, expect } from 'vitest';
import { aliveHistory } from '../../../src/ml/lifetime/alive-history.ts';
import { probabilityAlive } from '../../../src/ml/lifetime/bg-nbd.ts';
import { DAY_MS, PurchaseLogBuilder } from '../../../src/ml/customers/purchase-log.ts';
import { summarizeCustomers } from '../../../src/ml/customers/summary.ts';

// BG/NBD on CDNOW (lifetimes' published fit), in days here only as plausible numbers
const params = { r: 0.2426, alpha: 4.414, a: 0.7929, b: 2.426 };
const day0 = Date.UTC(2011, 0, 3) / DAY_MS;

describe('aliveHistory', () => {
  it('equals probabilityAlive of the summary the scoring job builds at every midnight', () => {
    const orders = [0, 0, 5, 40, 41, 90].map((d) => day0 + d);
    const b = new PurchaseLogBuilder();
    orders.forEach((d, k) => b.add('c', 'i', `o${k}`, 1, 1, d * DAY_MS + 10 * 3_600_000));
    const log = b.build();
    const end = day0 + 150;
    const h = aliveHistory(params, orders, end, 1000);
    expect(h.day.length).toBe(150);
    for (const k of [0, 4, 5, 39, 40, 41, 89, 90, 91, 149]) {
      const s = summarizeCustomers(log, h.day[k]! * DAY_MS, 'days');
      expect(h.pAlive[k]).toBeCloseTo(probabilityAlive(params, s.frequency[0]!, s.recency[0]!, s.T[0]!), 12);
    }
  });

  it('is 1 until the first repeat purchase, jumps up at a purchase and decays between purchases', () => {
    const h = aliveHistory(params, [day0, day0 + 30], day0 + 200, 1000);
    for (let k = 0; k < 30; k++) expect(h.pAlive[k]).toBe(1);
    expect(h.pAlive[30]!).toBeGreaterThan(h.pAlive[100]!);
    for (let k = 31; k < h.day.length; k++) expect(h.pAlive[k]!).toBeLessThanOrEqual(h.pAlive[k - 1]!);
  });

  it('caps the points, keeping the last midnight', () => {
    const h = aliveHistory(params, [day0, day0 + 300], day0 + 1000, 50);
    expect(h.day.length).toBe(50);
    expect(h.day[49]).toBe(day0 + 1000);
    expect(() => aliveHistory(params, [], day0)).toThrow(/at least one/);
    expect(() => aliveHistory(params, [day0], day0)).toThrow(/must come after/);
  });
});
