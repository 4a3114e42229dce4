// The recommender training job on purchases stored in the database (PGlite, and PostgreSQL when
// configured): artifact, manifest counts and holdout size against the database, stages reported.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRecommender } from '../../src/artifacts/codecs/recommender.ts';
import { currentVersion, loadArtifact } from '../../src/artifacts/store.ts';
import { queryRows, type Database } from '../../src/db/client.ts';
import { upsertItems } from '../../src/db/queries/items.ts';
import { importPurchases } from '../../src/import/purchase-import.ts';
import { trainRecommender, type TrainRecommenderResult } from '../../src/jobs/train-recommender.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';
import { writeOnlineRetailSlice } from './online-retail-slice.ts';
import { recordingProgress, type RecordingProgress } from './recording-progress.ts';

const CUTOFF = Date.parse('2010-12-07T00:00:00Z');

let dir: string;
let slice: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'retain-train-rec-'));
  slice = join(dir, 'slice.csv');
  await writeOnlineRetailSlice(slice);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each(testEngines())('trainRecommender from the database (%s)', (engine) => {
  let database: Database;
  let modelsDir: string;
  let result: TrainRecommenderResult;
  let progress: RecordingProgress;
  let stored: { customers: number; items: number; first: string; last: string };

  beforeAll(async () => {
    database = await openTestDatabase(engine);
    const summary = await importPurchases(database, slice, { format: 'online-retail' });
    expect(summary.purchases).toBeGreaterThan(10_000);
    await upsertItems(database.db, [{ externalId: '85123A', category: 'candles' }]);
    const [row] = await queryRows<{ customers: number; items: number; first: string; last: string }>(
      database.db,
      sql`SELECT count(DISTINCT customer_id)::int AS customers, count(DISTINCT item_id)::int AS items,
                 to_char(min(occurred_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS first,
                 to_char(max(occurred_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS last
          FROM purchases WHERE kind = 'purchase'`,
    );
    stored = row!;
    modelsDir = join(dir, `models-${engine}`);
    progress = recordingProgress();
    result = await trainRecommender({ source: { database }, modelsDir, model: { algorithm: 'ease', lambda: 50 }, cutoff: CUTOFF }, progress);
  }, 180_000);

  afterAll(async () => {
    result?.model.dispose();
    await database?.close();
  });

  it('saves an artifact and makes it CURRENT', async () => {
    expect(result.spec).toEqual({ algorithm: 'ease', lambda: 50 });
    expect(await currentVersion(modelsDir, 'recommender')).toBe(result.manifest.version);
    const { manifest } = await loadArtifact(modelsDir, 'recommender');
    expect(manifest).toEqual(result.manifest);
    expect(manifest.params.model).toEqual({ algorithm: 'ease', lambda: 50, halfLifeDays: 0 });
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

  it('measures the holdout on exactly the customers the protocol names (counted in SQL)', async () => {
    // REFERENCE.md: a test user bought before the cutoff and, from the cutoff on, an item that was
    // bought before it by anyone but not by them.
    const [row] = await queryRows<{ users: number }>(
      database.db,
      sql`WITH train AS (SELECT DISTINCT customer_id AS c, item_id AS i FROM purchases WHERE kind = 'purchase' AND occurred_at < ${new Date(CUTOFF).toISOString()}),
               test AS (SELECT DISTINCT customer_id AS c, item_id AS i FROM purchases WHERE kind = 'purchase' AND occurred_at >= ${new Date(CUTOFF).toISOString()})
          SELECT count(DISTINCT test.c)::int AS users FROM test
          WHERE test.c IN (SELECT c FROM train) AND test.i IN (SELECT i FROM train)
            AND NOT EXISTS (SELECT 1 FROM train WHERE train.c = test.c AND train.i = test.i)`,
    );
    expect(row!.users).toBeGreaterThan(10);
    expect(result.test.users).toBe(row!.users);
    expect(result.test.k).toBe(10);
    expect(result.manifest.metrics.test).toMatchObject({ users: row!.users, ndcg: result.test.ndcg });
  });

  it('loads into a model that recommends only items known to the database, with the catalog categories', async () => {
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
      const candles = model.popular(5, undefined, { category: 'candles' });
      expect(candles.map((r) => model.itemIds[r.item])).toEqual(['85123A']);
    } finally {
      model.dispose();
    }
  });

  it('reports its stages, the refit and the lists counting towards their totals', () => {
    expect(progress.stages.map((s) => s.label)).toEqual([
      'testing ease on the holdout',
      'refitting ease on all data',
      'precomputing candidate and similar-item lists',
    ]);
    for (const stage of progress.stages.slice(1)) {
      expect(stage.updates.length).toBeGreaterThan(0);
      expect(stage.total).toBeGreaterThan(0);
      expect(stage.updates.every((done, i) => done <= stage.total! && (i === 0 || done >= stage.updates[i - 1]!))).toBe(true);
    }
    expect(progress.warnings).toEqual([]);
  });
});
