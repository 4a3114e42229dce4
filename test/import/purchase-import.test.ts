import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../src/db/client.ts';
import { loadPurchaseLog } from '../../src/db/queries/purchase-log.ts';
import { ValidationError } from '../../src/errors.ts';
import { importPurchases } from '../../src/import/purchase-import.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';

const dir = mkdtempSync(join(tmpdir(), 'retain-import-'));
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

const GOOD_AND_BAD = file(
  'mixed.csv',
  [
    'customer_id,order_id,item_id,quantity,unit_price,occurred_at',
    'c1,o1,i1,2,1.5,2011-01-01 10:00:00',
    'c1,o1,i1,2,1.5,2011-01-01 10:00:00',
    'c2,o2,i2,1,3,2011-01-02',
    ',o3,i1,1,1,2011-01-03',
    'c3,o4,i3,1,-2,2011-01-03',
    'c3,o5,i3,1,2,yesterday',
    'c2,o6,i2,-1,3,2011-01-04',
    '"c4","o7","i,4",3,2.5,2011-01-05T10:00:00Z',
    '',
  ].join('\n'),
);

async function tableCounts(database: Database) {
  const [row] = await queryRows<{ purchases: number; customers: number; items: number; runs: number }>(
    database.db,
    sql`SELECT (SELECT count(*) FROM purchases)::int AS purchases, (SELECT count(*) FROM customers)::int AS customers,
               (SELECT count(*) FROM items)::int AS items, (SELECT count(*) FROM import_runs)::int AS runs`,
  );
  return row!;
}

describe.each(testEngines())('importPurchases on %s', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('stores good lines, records cancellations and rejects bad lines with line number and reason', async () => {
    const rejectsPath = join(dir, `rejects-${engine}.csv`);
    const s = await importPurchases(database, GOOD_AND_BAD, { rejectsPath });
    expect(s).toMatchObject({ read: 8, purchases: 4, cancellations: 1, rejected: 3, duplicates: 0, erased: 0, newCustomers: 3, newItems: 3 });
    expect(s.rejectSamples.map((r) => [r.line, r.reason])).toEqual([
      [5, 'customer_id is missing'],
      [6, 'unit_price must be > 0'],
      [7, 'occurred_at is not a date (expected YYYY-MM-DD[ HH:MM[:SS]] or ISO 8601)'],
    ]);
    const rejects = readFileSync(rejectsPath, 'utf8').trim().split('\n');
    expect(rejects[0]).toBe('line,reason,record');
    expect(rejects.slice(1).map((l) => l.split(',')[0])).toEqual(['5', '6', '7']);

    const rows = await queryRows<{ order_id: string; line_no: number; kind: string; quantity: number; item: string; at: string }>(
      database.db,
      sql`SELECT p.order_id, p.line_no, p.kind::text AS kind, p.quantity, i.external_id AS item,
                 to_char(p.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at
          FROM purchases p JOIN items i ON i.id = p.item_id ORDER BY p.order_id, p.line_no`,
    );
    expect(rows.map((r) => [r.order_id, r.line_no, r.kind, r.quantity, r.item, r.at])).toEqual([
      ['o1', 1, 'purchase', 2, 'i1', '2011-01-01 10:00:00'],
      ['o1', 2, 'purchase', 2, 'i1', '2011-01-01 10:00:00'],
      ['o2', 1, 'purchase', 1, 'i2', '2011-01-02 00:00:00'],
      ['o6', 1, 'cancellation', -1, 'i2', '2011-01-04 00:00:00'],
      ['o7', 1, 'purchase', 3, 'i,4', '2011-01-05 10:00:00'],
    ]);
  });

  it('adds nothing when the same file is imported again', async () => {
    const before = await tableCounts(database);
    const s = await importPurchases(database, GOOD_AND_BAD);
    expect(s).toMatchObject({ purchases: 0, cancellations: 0, duplicates: 5, rejected: 3, newCustomers: 0, newItems: 0 });
    expect(await tableCounts(database)).toEqual({ ...before, runs: before.runs + 1 });
  });

  it('changes nothing for a binary file, a file without the columns, bad gzip, an empty or a missing file', async () => {
    const before = await tableCounts(database);
    const binary = file('binary.csv', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0x10, 0x0a, 0x00]));
    await expect(importPurchases(database, binary)).rejects.toThrow(/not a CSV text file/);
    const columns = file('columns.csv', 'customer,order,item\nc1,o1,i1\n');
    await expect(importPurchases(database, columns)).rejects.toThrow(/missing column\(s\) customer_id, order_id, item_id, quantity, unit_price, occurred_at/);
    const retail = file('retail.csv', 'InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n1,a,1,2011-01-01,1,c\n');
    await expect(importPurchases(database, retail)).rejects.toThrow(/use --format online-retail/);
    const notGzip = file('plain.csv.gz', 'customer_id,order_id\n');
    await expect(importPurchases(database, notGzip)).rejects.toThrow(ValidationError);
    await expect(importPurchases(database, file('empty.csv', ''))).rejects.toThrow(/empty/);
    await expect(importPurchases(database, join(dir, 'missing.csv'))).rejects.toThrow(/cannot read .*missing.csv: ENOENT/);
    expect(await tableCounts(database)).toEqual(before);
  });

  it('rolls back every chunk already merged when the file fails later or the import is aborted', async () => {
    const before = await tableCounts(database);
    const lines = Array.from({ length: 9 }, (_, k) => `n${k},n-o${k},n-i${k},1,1,2011-02-0${k + 1}`);
    const broken = file('broken.csv', ['customer_id,order_id,item_id,quantity,unit_price,occurred_at', ...lines, 'x,"unterminated,i,1,1,2011-03-01'].join('\n'));
    await expect(importPurchases(database, broken, { chunkRows: 2 })).rejects.toThrow(/unterminated/);
    expect(await tableCounts(database)).toEqual(before);

    const good = file('good.csv', ['customer_id,order_id,item_id,quantity,unit_price,occurred_at', ...lines].join('\n'));
    const controller = new AbortController();
    controller.abort();
    await expect(importPurchases(database, good, { chunkRows: 2, signal: controller.signal })).rejects.toThrow(/interrupted/);
    expect(await tableCounts(database)).toEqual(before);
  });

  it('uses a line_no column when the file has one', async () => {
    const path = file(
      'numbered.csv',
      ['customer_id,order_id,item_id,quantity,unit_price,occurred_at,line_no', 'c1,L1,i1,1,1,2011-01-06,7', 'c1,L1,i2,1,1,2011-01-06,3', 'c1,L1,i2,1,1,2011-01-06,zero', ''].join('\n'),
    );
    const s = await importPurchases(database, path);
    expect(s).toMatchObject({ purchases: 2, rejected: 1 });
    expect(s.rejectSamples[0]).toMatchObject({ line: 4, reason: 'line_no must be a positive integer' });
    const rows = await queryRows<{ line_no: number }>(database.db, sql`SELECT line_no FROM purchases WHERE order_id = 'L1' ORDER BY line_no`);
    expect(rows.map((r) => r.line_no)).toEqual([3, 7]);
  });

  it('loads a first file into an empty table without its indexes, keeps the first of repeated line numbers and rebuilds every index', async () => {
    const fresh = await openTestDatabase(engine);
    try {
      const indexes = () =>
        queryRows<{ name: string; definition: string }>(
          fresh.db,
          sql`SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE tablename = 'purchases' ORDER BY indexname`,
        );
      const before = await indexes();
      const path = file(
        'repeats.csv',
        [
          'customer_id,order_id,item_id,quantity,unit_price,occurred_at,line_no',
          'c1,R1,i1,1,1,2011-01-06,1',
          'c1,R1,i2,5,1,2011-01-06,1',
          'c1,R1,i3,2,1,2011-01-06,2',
          'c2,R2,i1,-1,1,2011-01-07,1',
          'c2,R2,i1,-3,1,2011-01-07,1',
          '',
        ].join('\n'),
      );
      const s = await importPurchases(fresh, path, { chunkRows: 2 });
      expect(s).toMatchObject({ read: 5, purchases: 2, cancellations: 1, duplicates: 2, rejected: 0 });
      expect(s.phases.indexes).toBeGreaterThan(0); // the first-load path was taken
      const rows = await queryRows<{ order_id: string; line_no: number; quantity: number }>(
        fresh.db,
        sql`SELECT order_id, line_no, quantity FROM purchases ORDER BY order_id, line_no`,
      );
      expect(rows.map((r) => [r.order_id, r.line_no, r.quantity])).toEqual([
        ['R1', 1, 1],
        ['R1', 2, 2],
        ['R2', 1, -1],
      ]);
      expect(await indexes()).toEqual(before);
      expect(before.map((i) => i.name)).toContain('purchases_order_line_key');
      // the rebuilt unique constraint holds for the next import, which takes the checked path
      const again = await importPurchases(fresh, path);
      expect(again).toMatchObject({ purchases: 0, cancellations: 0, duplicates: 5 });
      expect(again.phases.indexes).toBe(0);
    } finally {
      await fresh.close();
    }
  });

  it('keeps file order when lines wait for new ids, and the id sequence goes on after a first load', async () => {
    const fresh = await openTestDatabase(engine);
    try {
      // With batches of 2, the third batch is read once the first one's ids are known: its line of a new
      // customer waits for a lookup while the next line, of a known customer and item, is written at once.
      const lines = (order: string) => [
        `a1,${order}-0,i1,1,1,2011-01-06,1`,
        `a1,${order}-0,i1,1,1,2011-01-06,2`,
        `a1,${order}-1,i1,1,1,2011-01-06,1`,
        `a1,${order}-1,i1,1,1,2011-01-06,2`,
        `new-${order},${order},i1,1,1,2011-01-06,1`,
        `a1,${order},i1,9,1,2011-01-06,1`,
      ];
      const header = 'customer_id,order_id,item_id,quantity,unit_price,occurred_at,line_no';
      const first = await importPurchases(fresh, file('order-first.csv', [header, ...lines('F'), ''].join('\n')), { chunkRows: 2 });
      expect(first.phases.indexes).toBeGreaterThan(0); // a first load
      const later = await importPurchases(fresh, file('order-later.csv', [header, ...lines('L'), ''].join('\n')), { chunkRows: 2 });
      expect(later.phases.indexes).toBe(0); // through the staging table
      for (const s of [first, later]) expect(s).toMatchObject({ purchases: 5, duplicates: 1 });
      const rows = await queryRows<{ id: number; order_id: string; line_no: number; quantity: number }>(
        fresh.db,
        sql`SELECT id::float8 AS id, order_id, line_no, quantity FROM purchases ORDER BY id`,
      );
      // the first of the repeated (order_id, line_no) in the file is kept, and ids follow the file across both imports
      expect(rows.map((r) => [r.order_id, r.line_no, r.quantity])).toEqual(
        ['F', 'L'].flatMap((o) => [[`${o}-0`, 1, 1], [`${o}-0`, 2, 1], [`${o}-1`, 1, 1], [`${o}-1`, 2, 1], [o, 1, 1]]),
      );
      // a row added after both imports takes the next id
      const [added] = await queryRows<{ id: number }>(
        fresh.db,
        sql`INSERT INTO purchases (customer_id, item_id, order_id, line_no, quantity, unit_price, occurred_at) VALUES (1, 1, 'next', 1, 1, 1, now()) RETURNING id::float8 AS id`,
      );
      expect(added!.id).toBeGreaterThan(rows.at(-1)!.id);
    } finally {
      await fresh.close();
    }
  });

  it('rejects a quantity that does not fit the 32-bit column instead of failing the import', async () => {
    const path = file('huge.csv', ['customer_id,order_id,item_id,quantity,unit_price,occurred_at', 'c1,H1,i1,3000000000,1,2011-01-06', 'c1,H1,i1,-2147483648,1,2011-01-06', ''].join('\n'));
    const fresh = await openTestDatabase(engine);
    try {
      const s = await importPurchases(fresh, path);
      expect(s).toMatchObject({ cancellations: 1, rejected: 1 });
      expect(s.rejectSamples[0]).toMatchObject({ line: 2, reason: 'quantity must be between -2147483648 and 2147483647' });
    } finally {
      await fresh.close();
    }
  });

  it('never re-imports the purchases of an erased customer', async () => {
    await database.db.execute(sql`UPDATE customers SET erased_at = now() WHERE external_id = 'c2'`);
    await database.db.execute(sql`DELETE FROM purchases WHERE customer_id = (SELECT id FROM customers WHERE external_id = 'c2')`);
    const s = await importPurchases(database, GOOD_AND_BAD);
    expect(s).toMatchObject({ purchases: 0, cancellations: 0, erased: 2, duplicates: 3 });
    const [row] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM purchases p JOIN customers c ON c.id = p.customer_id WHERE c.external_id = 'c2'`);
    expect(row!.n).toBe(0);
  });

  it('loads purchase lines (not cancellations, not erased customers) back as a PurchaseLog in time order', async () => {
    const log = await loadPurchaseLog(database.db);
    expect(log.customerIds).toEqual(['c1', 'c4']);
    const lines = Array.from(log.time, (t, k) => [new Date(t).toISOString(), log.customerIds[log.customer[k]!], log.itemIds[log.item[k]!], log.quantity[k], log.unitPrice[k]]);
    expect(lines).toEqual([
      ['2011-01-01T10:00:00.000Z', 'c1', 'i1', 2, 1.5],
      ['2011-01-01T10:00:00.000Z', 'c1', 'i1', 2, 1.5],
      ['2011-01-05T10:00:00.000Z', 'c4', 'i,4', 3, 2.5],
      ['2011-01-06T00:00:00.000Z', 'c1', 'i1', 1, 1],
      ['2011-01-06T00:00:00.000Z', 'c1', 'i2', 1, 1],
    ]);
    expect(log.orderCount).toBe(3);
    // the only cancellation is erased c2's: not loaded
    expect(log.cancellations!.time.length).toBe(0);
    const before = await loadPurchaseLog(database.db, { before: new Date('2011-01-05T10:00:00Z'), chunkRows: 1 });
    expect(before.time.length).toBe(2);
  });

  it('marks Online Retail non-product codes as not recommendable', async () => {
    const path = file(
      'retail-small.csv.gz',
      gzipSync('InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID\n900,POST,1,2011-01-01 09:00:00,18,12345\n900,85123A,6,2011-01-01 09:00:00,2.55,12345\nC901,85123A,-1,2011-01-02 09:00:00,2.55,12345\n'),
    );
    const s = await importPurchases(database, path, { format: 'online-retail' });
    expect(s).toMatchObject({ purchases: 2, cancellations: 1 });
    const rows = await queryRows<{ external_id: string; recommendable: boolean }>(
      database.db,
      sql`SELECT external_id, recommendable FROM items WHERE external_id IN ('POST', '85123A') ORDER BY external_id`,
    );
    expect(rows).toEqual([
      { external_id: '85123A', recommendable: true },
      { external_id: 'POST', recommendable: false },
    ]);
  });
});
