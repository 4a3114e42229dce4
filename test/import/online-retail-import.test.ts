import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../src/db/client.ts';
import { loadPurchaseLog } from '../../src/db/queries/purchase-log.ts';
import { importPurchases, type PurchaseImportSummary } from '../../src/import/purchase-import.ts';
import { readPurchaseLog } from '../../src/import/read-purchase-log.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';

const FILE = 'data/online-retail/online_retail_lines.csv.gz';
let fileLog: ReturnType<typeof readPurchaseLog> | undefined;

// One full import per engine; the checks below read what it stored.
describe.each(testEngines())('UCI Online Retail imported into %s', (engine) => {
  let database: Database;
  let summary: PurchaseImportSummary;
  const rejectsPath = join(mkdtempSync(join(tmpdir(), 'retain-or-')), 'rejects.csv');
  beforeAll(async () => {
    database = await openTestDatabase(engine);
    summary = await importPurchases(database, FILE, { format: 'online-retail', rejectsPath });
  }, 300_000); // a full import on PGlite takes ~30-60 s on a busy 2-core machine
  afterAll(async () => {
    await database?.close();
  });

  it('stores exactly the usual cleaned purchase lines and the cancellations of known customers', async () => {
    expect(summary).toMatchObject({ read: 541_909, purchases: 397_884, cancellations: 8_905, rejected: 541_909 - 397_884 - 8_905, duplicates: 0 });
    const [row] = await queryRows<{ lines: number; orders: number; customers: number; items: number; cancellations: number; repeats: number }>(
      database.db,
      sql`SELECT count(*) FILTER (WHERE kind = 'purchase')::int AS lines,
                 count(DISTINCT order_id) FILTER (WHERE kind = 'purchase')::int AS orders,
                 count(DISTINCT customer_id) FILTER (WHERE kind = 'purchase')::int AS customers,
                 count(DISTINCT item_id) FILTER (WHERE kind = 'purchase')::int AS items,
                 count(*) FILTER (WHERE kind = 'cancellation')::int AS cancellations,
                 (count(*) FILTER (WHERE kind = 'purchase') - (SELECT count(*) FROM (
                    SELECT DISTINCT order_id, item_id, quantity, unit_price, occurred_at, customer_id FROM purchases WHERE kind = 'purchase') d))::int AS repeats
          FROM purchases`,
    );
    expect(row).toEqual({ lines: 397_884, orders: 18_532, customers: 4_338, items: 3_665, cancellations: 8_905, repeats: 5_194 });
  });

  it('writes every rejected line with its line number and reason', () => {
    const lines = readFileSync(rejectsPath, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(1 + summary.rejected);
    expect(lines[1]).toBe('624,customer_id is missing; unit_price must be > 0,"536414,22139,56,2010-12-01 11:52:00,0,"');
    const reasons = new Map<string, number>();
    for (const r of summary.rejectSamples) reasons.set(r.reason, (reasons.get(r.reason) ?? 0) + 1);
    expect([...reasons.keys()].every((r) => /customer_id is missing|unit_price must be > 0|quantity must be > 0/.test(r))).toBe(true);
  });

  it('marks the non-product codes, and only those, as not recommendable', async () => {
    const rows = await queryRows<{ external_id: string }>(database.db, sql`SELECT external_id FROM items WHERE NOT recommendable`);
    const codes = rows.map((r) => r.external_id);
    expect(codes).toEqual(expect.arrayContaining(['POST', 'M', 'C2', 'DOT', 'BANK CHARGES', 'PADS']));
    expect(codes.every((c) => ['POST', 'M', 'C2', 'DOT', 'BANK CHARGES', 'PADS', 'B', 'AMAZONFEE', 'CRUK', 'D', 'S'].includes(c))).toBe(true);
  });

  it('loads back the same purchase log as reading the file directly', async () => {
    const fromDb = await loadPurchaseLog(database.db);
    const { log: fromFile } = await (fileLog ??= readPurchaseLog(FILE, 'online-retail'));
    expect(fromDb.time.length).toBe(fromFile.time.length);
    expect(fromDb.orderCount).toBe(fromFile.orderCount);
    expect([...fromDb.customerIds].sort()).toEqual([...fromFile.customerIds].sort());
    expect([...fromDb.itemIds].sort()).toEqual([...fromFile.itemIds].sort());
    // Same multiset of lines: compare per-customer revenue and the sorted timestamps.
    const revenue = (log: typeof fromDb) => {
      const byCustomer = new Map<string, number>();
      for (let k = 0; k < log.time.length; k++) {
        const id = log.customerIds[log.customer[k]!]!;
        byCustomer.set(id, (byCustomer.get(id) ?? 0) + log.quantity[k]! * log.unitPrice[k]!);
      }
      return byCustomer;
    };
    const a = revenue(fromDb);
    const b = revenue(fromFile);
    for (const [id, value] of b) expect(a.get(id)).toBeCloseTo(value, 6);
    expect(Float64Array.from(fromDb.time)).toEqual(Float64Array.from(fromFile.time).sort());
    for (let k = 1; k < fromDb.time.length; k++) if (fromDb.time[k]! < fromDb.time[k - 1]!) throw new Error(`not in time order at ${k}`);
    // cancellations ride along: 8,817 of the 8,905 belong to customers with purchase lines
    expect(fromDb.cancellations!.time.length).toBe(8_817);
    expect(fromFile.cancellations!.time.length).toBe(8_817);
    expect(Float64Array.from(fromDb.cancellations!.time).sort()).toEqual(Float64Array.from(fromFile.cancellations!.time).sort());
  });
});
