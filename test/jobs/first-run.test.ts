// The first run's decisions: seed only an embedded database, train only the models MODELS_DIR
// lacks, and say so when there is nothing to train on. (Training itself: train-*.test.ts.)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../src/db/client.ts';
import { firstRun } from '../../src/jobs/first-run.ts';
import { SAMPLE_FILES } from '../../src/jobs/seed-sample.ts';
import { openTestDatabase, testEngines } from '../helpers/db.ts';
import { recordingProgress } from './recording-progress.ts';

const dir = mkdtempSync(join(tmpdir(), 'retain-first-run-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A sample directory shaped like the bundled one, with its first `lines` purchase lines. */
function sampleDir(name: string, lines: number): string {
  const out = join(dir, name);
  mkdirSync(out);
  const purchases = gunzipSync(readFileSync(join('data/online-retail', SAMPLE_FILES.purchases))).toString('utf8').split('\n').slice(0, lines + 1);
  writeFileSync(join(out, SAMPLE_FILES.purchases), gzipSync(`${purchases.join('\n')}\n`));
  writeFileSync(join(out, SAMPLE_FILES.items), readFileSync(join('data/online-retail', SAMPLE_FILES.items)));
  writeFileSync(join(out, SAMPLE_FILES.customers), readFileSync(join('data/online-retail', SAMPLE_FILES.customers)));
  return out;
}

/** A models directory whose CURRENT pointers say both models exist. */
function modelsWithBoth(name: string): string {
  const out = join(dir, name);
  for (const kind of ['recommender', 'churn']) {
    mkdirSync(join(out, kind), { recursive: true });
    writeFileSync(join(out, kind, 'CURRENT'), '20260101T000000000Z\n');
  }
  return out;
}

describe.each(testEngines())('firstRun (%s)', (engine) => {
  let database: Database;
  const purchases = async () => (await queryRows<{ n: number }>(database.db, sql`SELECT count(*)::int AS n FROM purchases`))[0]!.n;

  beforeAll(async () => {
    database = await openTestDatabase(engine);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('with nothing to train on, trains nothing and says what to do', async () => {
    const progress = recordingProgress();
    const modelsDir = join(dir, `none-${engine}`);
    const result = await firstRun(database, { modelsDir, sampleDataDir: sampleDir(`empty-${engine}`, 0) }, progress);
    expect(result.recommender).toBeUndefined();
    expect(result.churn).toBeUndefined();
    expect(progress.warnings).toEqual([expect.stringMatching(/no purchases in the database yet: import some/)]);
    if (engine === 'pglite') expect(result.seed).toMatchObject({ seeded: true, purchases: { read: 0 } });
    else expect(result.seed).toBeUndefined();
    expect(await purchases()).toBe(0);
  });

  it(engine === 'pglite' ? 'seeds the empty embedded database and keeps the models it finds' : 'never seeds a database given through DATABASE_URL', async () => {
    const progress = recordingProgress();
    const result = await firstRun(database, { modelsDir: modelsWithBoth(`both-${engine}`), sampleDataDir: sampleDir(`sample-${engine}`, 2000) }, progress);
    expect(result.recommender).toBeUndefined();
    expect(result.churn).toBeUndefined();
    expect(progress.stages).toEqual([]);
    if (engine === 'pglite') {
      expect(result.seed?.seeded).toBe(true);
      expect(await purchases()).toBe(result.seed!.purchases!.purchases + result.seed!.purchases!.cancellations);
      expect(progress.infos.map((i) => i.message)).toEqual([`imported the bundled sample from ${join(dir, `sample-${engine}`)}`]);
    } else {
      expect(result.seed).toBeUndefined();
      expect(await purchases()).toBe(0);
    }
  });
});
