import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../src/db/client.ts';
import { SAMPLE_FILES, seedSampleIfEmpty } from '../../src/jobs/seed-sample.ts';
import { openTestDatabase } from '../helpers/db.ts';

// A small sample directory shaped like the bundled one: the first 2,000 purchase lines.
const sampleDir = mkdtempSync(join(tmpdir(), 'retain-sample-'));
const lines = gunzipSync(readFileSync('data/online-retail/online_retail_lines.csv.gz')).toString('utf8').split('\n').slice(0, 2001);
writeFileSync(join(sampleDir, SAMPLE_FILES.purchases), gzipSync(`${lines.join('\n')}\n`));
writeFileSync(join(sampleDir, SAMPLE_FILES.items), readFileSync(join('data/online-retail', SAMPLE_FILES.items)));
writeFileSync(join(sampleDir, SAMPLE_FILES.customers), readFileSync(join('data/online-retail', SAMPLE_FILES.customers)));

describe('seedSampleIfEmpty', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openTestDatabase('pglite');
  });
  afterAll(async () => {
    await database?.close();
  });
  const purchases = async () => (await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM purchases`))[0]!.n;

  it('refuses a database given through DATABASE_URL and leaves it alone', async () => {
    await expect(seedSampleIfEmpty({ ...database, engine: 'postgres' }, { sampleDataDir: sampleDir })).rejects.toThrow(/DATABASE_URL/);
    expect(await purchases()).toBe(0);
  });

  it('imports catalog, countries and purchases into an empty embedded database, once', async () => {
    const result = await seedSampleIfEmpty(database, { sampleDataDir: sampleDir });
    expect(result.seeded).toBe(true);
    const stored = await purchases();
    expect(stored).toBe(result.purchases!.purchases + result.purchases!.cancellations);
    expect(result.purchases!.read).toBe(2000);
    expect(result.items!.inserted).toBeGreaterThan(3000);
    const [titled] = await queryRows<{ n: number }>(
      database.db,
      sql`SELECT count(*)::int AS n FROM purchases p JOIN items i ON i.id = p.item_id JOIN customers c ON c.id = p.customer_id WHERE i.title IS NOT NULL AND c.country IS NOT NULL`,
    );
    expect(titled!.n).toBe(stored);
    expect(await seedSampleIfEmpty(database, { sampleDataDir: sampleDir })).toEqual({ seeded: false });
    expect(await purchases()).toBe(stored);
  });
});
