import { describe, expect, it } from 'vitest';
import { readPurchaseLog } from '../../src/import/read-purchase-log.ts';
import { parseTimestamp } from '../../src/import/purchase-row.ts';

describe('readPurchaseLog on UCI Online Retail', () => {
  it('keeps exactly the usual cleaned lines', async () => {
    const { log, cancellations, rejected } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');
    expect(log.customer.length).toBe(397_884);
    expect(log.orderCount).toBe(18_532);
    expect(log.customerIds.length).toBe(4_338);
    expect(log.itemIds.length).toBe(3_665);
    expect(cancellations).toBe(8_905);
    expect(rejected).toBe(541_909 - 397_884 - 8_905);
    expect(new Date(log.time[0]!).toISOString()).toBe('2010-12-01T08:26:00.000Z');
  });
});

describe('parseTimestamp', () => {
  it('reads naive times as UTC and honours explicit offsets', () => {
    expect(parseTimestamp('2011-06-01 10:00:00')).toBe(Date.UTC(2011, 5, 1, 10));
    expect(parseTimestamp('2011-06-01')).toBe(Date.UTC(2011, 5, 1));
    expect(parseTimestamp('2011-06-01T10:00:00+02:00')).toBe(Date.UTC(2011, 5, 1, 8));
    expect(parseTimestamp('01/06/2011')).toBeNaN();
  });
});
