import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRecommender } from '../../src/artifacts/codecs/recommender.ts';
import { currentVersion, loadArtifact } from '../../src/artifacts/store.ts';
import { modelChoice } from '../../src/cli/commands/evaluate.ts';
import { queryRows, type Database } from '../../src/db/client.ts';
import { allCatalogRows } from '../../src/db/queries/items.ts';
import { loadPurchaseLog } from '../../src/db/queries/purchase-log.ts';
import { importPurchases } from '../../src/import/purchase-import.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { trainRecommender, type TrainRecommenderResult } from '../../training/train-recommender.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';

const SOURCE = 'data/online-retail/online_retail_lines.csv.gz';
/** Header plus the first lines of Online Retail: 2010-12-01 .. 2010-12-09, a few hundred customers. */
const LINES = 20_000;
const CUTOFF = Date.parse('2010-12-07T00:00:00Z');

let dir: string;
let slice: string;

beforeAll(async () => {
  await initTf(); // as the command does before training
  dir = await mkdtemp(join(tmpdir(), 'retain-train-rec-'));
  slice = join(dir, 'slice.csv');
  const out = createWriteStream(slice);
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(SOURCE).pipe(createGunzip()), crlfDelay: Infinity })) {
    out.write(`${line}\n`);
    if (++n > LINES) break;
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(testEngines())('retain train recommender from the database (%s)', (engine) => {
  let database: Database;
  let modelsDir: string;
  let result: TrainRecommenderResult;
  let stored: { customers: number; items: number; first: string; last: string };

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    const summary = await importPurchases(database, slice, { format: 'online-retail' });
    expect(summary.purchases).toBeGreaterThan(10_000);
    const [row] = await queryRows<{ customers: number; items: number; first: string; last: string }>(
      database.db,
      sql`SELECT count(DISTINCT customer_id)::int AS customers, count(DISTINCT item_id)::int AS items,
                 to_char(min(occurred_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS first,
                 to_char(max(occurred_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS last
          FROM purchases WHERE kind = 'purchase'`,
    );
    stored = row!;
    modelsDir = join(dir, `models-${engine}`);
    // What the command's database path does: purchase log and catalog categories from the database.
    const log = await loadPurchaseLog(database.db);
    const categories = new Map((await allCatalogRows(database.db)).filter((r) => r.category).map((r) => [r.externalId, r.category!]));
    result = await trainRecommender({ log, modelsDir, model: modelChoice({ model: 'ease', lambda: '50' }), cutoff: CUTOFF, categories });
  }, 60_000);

  afterAll(async () => {
    result?.model.dispose();
    await database?.close();
  });

  it('saves an artifact and makes it CURRENT', async () => {
    expect(result.spec).toEqual({ algorithm: 'ease', lambda: 50 });
    expect(await currentVersion(modelsDir, 'recommender')).toBe(result.manifest.version);
    const { manifest } = await loadArtifact(modelsDir, 'recommender');
    expect(manifest).toEqual(result.manifest);
    expect(result.test.users).toBeGreaterThan(0);
  });

  it('records the data window and the customer and item counts stored in the database', async () => {
    const { manifest, files } = await loadArtifact(modelsDir, 'recommender');
    // end exclusive: one millisecond after the last purchase
    expect(manifest.dataWindow.from).toBe(`${stored.first}.000Z`);
    expect(Date.parse(manifest.dataWindow.to!)).toBe(Date.parse(`${stored.last}Z`) + 1);
    const structure = JSON.parse(files.get('structure.json')!.toString('utf8')) as { customers: number; items: number };
    expect(structure).toMatchObject({ customers: stored.customers, items: stored.items });
    expect((manifest.metrics.test as { cutoff: string }).cutoff).toBe(new Date(CUTOFF).toISOString());
  });

  it('loads into a model that recommends only items known to the database', async () => {
    const model = await loadRecommender(modelsDir);
    try {
      expect(model.version).toBe(result.manifest.version);
      const known = new Set(
        (await queryRows<{ id: string }>(database.db, sql`SELECT DISTINCT i.external_id AS id FROM purchases p JOIN items i ON i.id = p.item_id WHERE p.kind = 'purchase'`)).map((r) => r.id),
      );
      const customers = new Set((await queryRows<{ id: string }>(database.db, sql`SELECT external_id AS id FROM customers`)).map((r) => r.id));
      expect(new Set(model.itemIds)).toEqual(known);
      for (const c of model.customerIds) expect(customers.has(c)).toBe(true);
      let lists = 0;
      for (const c of model.customerIds.slice(0, 50)) {
        const recs = model.recommend(model.customerIndex(c)!, 10);
        lists += recs.length > 0 ? 1 : 0;
        for (const r of recs) expect(known.has(model.itemIds[r.item]!)).toBe(true);
      }
      expect(lists).toBe(50);
    } finally {
      model.dispose();
    }
  });
});
