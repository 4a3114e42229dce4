import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../src/db/client.ts';
import { importCustomers, importItems } from '../../src/import/catalog-import.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';

const DESCRIPTIONS = 'data/online-retail/stockcode_descriptions.csv.gz';
const COUNTRIES = 'data/online-retail/customer_countries.csv';
const dir = mkdtempSync(join(tmpdir(), 'retain-catalog-'));
const file = (name: string, lines: string[]): string => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};

/** First value of column 1 per key in column 0 (the files have no quoted commas in these columns). */
function firstPerKey(text: string): Map<string, string> {
  const first = new Map<string, string>();
  for (const line of text.trim().split('\n').slice(1)) {
    const [k, v] = line.split(',');
    if (!first.has(k!)) first.set(k!, v!);
  }
  return first;
}

describe.each(testEngines())('catalog imports on %s', (engine) => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await database?.close();
  });

  const item = async (id: string) =>
    (await queryRows<{ title: string | null; category: string | null; price: number | null; in_stock: boolean; recommendable: boolean }>(
      database.db,
      sql`SELECT title, category, price, in_stock, recommendable FROM items WHERE external_id = ${id}`,
    ))[0];

  it('imports Online Retail descriptions: first description per stock code, non-products not recommendable', async () => {
    const text = gunzipSync(readFileSync(DESCRIPTIONS)).toString('utf8');
    const first = firstPerKey(text);
    const rows = text.trim().split('\n').length - 1;
    const s = await importItems(database, DESCRIPTIONS, 'online-retail-descriptions');
    expect(s).toMatchObject({ read: rows, inserted: first.size, updated: 0, rejected: 0, duplicates: rows - first.size });
    expect(await item('10080')).toMatchObject({ title: first.get('10080'), recommendable: true });
    expect(await item('POST')).toMatchObject({ title: 'POSTAGE', recommendable: false });
    const again = await importItems(database, DESCRIPTIONS, 'online-retail-descriptions');
    expect(again).toMatchObject({ inserted: 0, updated: first.size });
  });

  it('updates only the columns a canonical file has and rejects bad rows by line', async () => {
    await database.db.execute(sql`UPDATE items SET category = 'inflatables' WHERE external_id = '10080'`);
    const path = file('items.csv', ['item_id,title,price,in_stock', '10080,Cactus,4.5,no', 'NEW1,New thing,,yes', 'BAD1,Bad,-1,yes', 'BAD2,Bad,1,maybe']);
    const s = await importItems(database, path);
    expect(s).toMatchObject({ read: 4, inserted: 1, updated: 1, rejected: 2 });
    expect(s.rejectSamples.map((r) => [r.line, r.reason])).toEqual([
      [4, 'price must be a number >= 0'],
      [5, 'in_stock must be true or false'],
    ]);
    expect(await item('10080')).toMatchObject({ title: 'Cactus', category: 'inflatables', price: 4.5, in_stock: false });
    expect(await item('NEW1')).toMatchObject({ title: 'New thing', price: null, in_stock: true, recommendable: true });
  });

  it('fills customer countries (first per customer) and leaves erased customers untouched', async () => {
    await database.db.execute(sql`INSERT INTO customers (external_id, erased_at) VALUES ('12347', now())`);
    const first = firstPerKey(readFileSync(COUNTRIES, 'utf8'));
    const s = await importCustomers(database, COUNTRIES, 'online-retail-countries');
    expect(s).toMatchObject({ inserted: first.size - 1, updated: 0, erased: 1, rejected: 0 });
    const rows = await queryRows<{ external_id: string; country: string | null }>(
      database.db,
      sql`SELECT external_id, country FROM customers WHERE external_id IN ('12347', '12348') ORDER BY external_id`,
    );
    expect(rows).toEqual([
      { external_id: '12347', country: null },
      { external_id: '12348', country: first.get('12348') },
    ]);
  });

  it('validates canonical customer rows and fails at once without the id column', async () => {
    const path = file('customers.csv', ['customer_id,email,unsubscribed', 'k1,k1@example.com,false', 'k2,not-an-email,false', ',x@example.com,true']);
    const s = await importCustomers(database, path);
    expect(s).toMatchObject({ inserted: 1, rejected: 2 });
    expect(s.rejectSamples.map((r) => r.line)).toEqual([3, 4]);
    expect(s.rejectSamples[1]!.reason).toBe('customer_id is missing');
    const [before] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM customers`);
    await expect(importCustomers(database, file('wrong.csv', ['id,email', 'k3,k3@example.com']))).rejects.toThrow(/missing column customer_id/);
    const [after] = await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM customers`);
    expect(after!.n).toBe(before!.n);
  });
});
