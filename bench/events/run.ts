// Events benchmark: purchase events in batches over HTTP into the real server (`retain serve`, its
// own process) on PostgreSQL, with live scoring off (no scoring run recorded, so batches store
// events and purchases only) and on (every batch re-scores its buyers in its transaction);
// autocannon from a second, lean process (load.ts).
//
//   npx tsx bench/events/run.ts --database-url postgres://postgres@127.0.0.1:5432/postgres [--duration 10] [--rounds 3] [--connections 1,10] [--batch 100] [--customers-per-batch 10,100]
//
// One server runs throughout; live scoring is switched off and on by removing and restoring the
// scoring run (each replica's live scorer follows it at its next 2 s poll). With --rounds N every
// scenario runs N times, off and on in turn within each round, and the median round is reported,
// so a burst of load from other processes on the machine hits both modes alike.
// The database `retain_events_bench` is rebuilt each run with the bundled Online Retail sample; the
// models (EASE λ=500 and the first run's churn ensemble) are trained once under
// data/generated/events-bench/models (git-ignored) and reused; every customer is scored by
// `retain score churn`'s job before the "on" scenarios.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Result } from 'autocannon';
import postgres from 'postgres';
import { currentVersion } from '../../src/artifacts/store.ts';
import { migrate, openDatabase, queryRows, type Database } from '../../src/db/client.ts';
import { sql } from 'drizzle-orm';
import { importPurchases } from '../../src/import/purchase-import.ts';
import { scoreChurn } from '../../src/jobs/score-customers.ts';
import { trainChurn } from '../../src/jobs/train-churn.ts';
import { trainRecommender } from '../../src/jobs/train-recommender.ts';
import { freePort, runLoad, startServer, stopServer, table } from '../serve/harness.ts';
import type { EventLoadSpec } from './load.ts';

const { values } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '1,10' },
    batch: { type: 'string', default: '100' },
    'customers-per-batch': { type: 'string', default: '10,100' },
    rounds: { type: 'string', default: '1' },
  },
});
if (!values['database-url']) throw new Error('--database-url postgres://... is required (the benchmark measures PostgreSQL)');
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const batch = Number(values.batch);
const connectionCounts = values.connections.split(',').map(Number);
const perBatch = values['customers-per-batch'].split(',').map(Number);
const modelsDir = 'data/generated/events-bench/models';

const url = await freshDatabase(values['database-url']);
const database = await openDatabase({ url });
await migrate(database);
process.stderr.write('importing the bundled sample\n');
await importPurchases(database, 'data/online-retail/online_retail_lines.csv.gz', { format: 'online-retail' });
await prepareModels(database);
const customers = (await queryRows<{ id: string }>(database.db, sql`SELECT external_id AS id FROM customers`)).map((r) => r.id);
const items = (await queryRows<{ id: string }>(database.db, sql`SELECT external_id AS id FROM items WHERE recommendable`)).map((r) => r.id);

const specDir = await mkdtemp(join(tmpdir(), 'retain-events-bench-'));
const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
process.stderr.write('scoring every customer (the scoring run that switches live scoring on)\n');
await scoreChurn(database, { modelsDir });
const [run] = await queryRows<Record<string, unknown>>(database.db, sql`SELECT * FROM scoring_runs`);
const scenarios = perBatch.flatMap((cpb) => connectionCounts.flatMap((connections) => [false, true].map((live) => ({ live, cpb, connections }))));
const results: Result[][] = scenarios.map(() => []);
const port = await freePort();
const server = await startServer({ port, env: { DATABASE_URL: url, MODELS_DIR: modelsDir } });
let seed = 0;
try {
  for (let round = 0; round < rounds; round++) {
    for (const [i, sc] of scenarios.entries()) {
      await setLiveScoring(sc.live);
      const title = `live scoring ${sc.live ? 'on' : 'off'}, ${sc.cpb} customers per batch, ${sc.connections} connection${sc.connections === 1 ? '' : 's'}`;
      process.stderr.write(`round ${round + 1}/${rounds}: ${title} (${duration} s)\n`);
      const spec: EventLoadSpec = { url: `http://127.0.0.1:${port}`, connections: sc.connections, duration, warmup: 2, title, batch, customersPerBatch: sc.cpb, customers, items, seed: ++seed, runId: `bench${Date.now()}s${seed}` };
      const file = join(specDir, `${seed}.json`);
      await writeFile(file, JSON.stringify(spec));
      results[i]!.push(await runLoad(file, 'bench/events/load.ts'));
    }
  }
} finally {
  await stopServer(server);
}
const rows = scenarios.map((sc, i) => {
  const r = [...results[i]!].sort((a, b) => a.requests.average - b.requests.average)[results[i]!.length >> 1]!;
  return [sc.live ? 'on' : 'off', String(sc.cpb), String(sc.connections), Math.round(r.requests.average * batch).toString(), r.requests.average.toFixed(1), r.latency.p50.toString(), r.latency.p99.toString(), (r.non2xx + r.errors + r.timeouts).toString()];
});
const [scored] = await queryRows<{ live: string | number; runs: string | number }>(
  database.db,
  sql`SELECT (SELECT count(*) FROM customer_scores s JOIN scoring_runs r ON r.id = s.run_id WHERE s.scored_at > r.scored_at) AS live, (SELECT count(*) FROM scoring_runs) AS runs`,
);
await database.close();
await rm(specDir, { recursive: true, force: true });
process.stdout.write(`\nPostgreSQL; batches of ${batch} purchase events; ${duration} s per scenario after 2 s of warm-up; ${customers.length} customers, ${items.length} items; median of ${rounds} round${rounds === 1 ? '' : 's'}\n`);
process.stdout.write(table(['live scoring', 'customers/batch', 'connections', 'events/s', 'batches/s', 'p50 ms', 'p99 ms', 'errors'], rows));
process.stdout.write(`rows re-scored live after the full run: ${Number(scored!.live)}; load average before: ${loadBefore}, after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);

/** Off: the scoring run removed (rows keep their scores); on: restored. Then one poll of the server's live scorer. */
async function setLiveScoring(on: boolean): Promise<void> {
  const [{ n }] = (await queryRows<{ n: string | number }>(database.db, sql`SELECT count(*) AS n FROM scoring_runs`)) as [{ n: string | number }];
  if (on === Number(n) > 0) return;
  if (on) {
    await database.db.execute(sql`INSERT INTO scoring_runs (id, clock, as_of, model_version, population, customers, scored_at)
      VALUES (${run!.id}, ${run!.clock}, ${run!.as_of}, ${run!.model_version}, ${JSON.stringify(run!.population)}::jsonb, ${run!.customers}, ${run!.scored_at})`);
    await database.db.execute(sql`UPDATE customer_scores SET run_id = ${run!.id}`);
  } else {
    // the lock waits for batches still in flight from the scenario before (they write run_id)
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`LOCK TABLE customer_scores IN SHARE ROW EXCLUSIVE MODE`);
      await tx.execute(sql`UPDATE customer_scores SET run_id = NULL`);
      await tx.execute(sql`DELETE FROM scoring_runs`);
    });
  }
  await new Promise((r) => setTimeout(r, 2_500));
}

async function prepareModels(db: Database): Promise<void> {
  if ((await currentVersion(modelsDir, 'recommender')) === undefined) {
    process.stderr.write('training the recommender (once)\n');
    const { model } = await trainRecommender({ source: { database: db }, modelsDir, model: { algorithm: 'ease', lambda: 500 } });
    model.dispose();
  }
  if ((await currentVersion(modelsDir, 'churn')) === undefined) {
    process.stderr.write('training the churn model (once)\n');
    await trainChurn({ source: { database: db }, modelsDir, training: { net: { seeds: [1, 2, 3, 4, 5] } } });
  }
}

async function freshDatabase(serverUrl: string): Promise<string> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe('DROP DATABASE IF EXISTS retain_events_bench WITH (FORCE)');
  await admin.unsafe('CREATE DATABASE retain_events_bench');
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = '/retain_events_bench';
  return u.toString();
}





