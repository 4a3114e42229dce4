// Where a live-scoring batch's time goes, step by step, one batch at a time against the database
// bench/events/run.ts leaves behind (run it first): the scoring locks, the customers' lines, the
// scoring, the upsert. Each batch runs in a transaction that is rolled back.
//
//   npx tsx bench/events/profile.ts --database-url postgres://postgres@127.0.0.1:5432/retain_events_bench [--batches 20]
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { loadChurnModel } from '../../src/artifacts/codecs/churn.ts';
import { openDatabase, queryRows } from '../../src/db/client.ts';
import { customerLines, latestScoringRun, lockCustomersForScoring, upsertLiveScores } from '../../src/db/queries/customer-scores-live.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { scoreCustomers } from '../../src/services/customer-scoring.ts';

const { values } = parseArgs({ options: { 'database-url': { type: 'string' }, batches: { type: 'string', default: '20' } } });
if (!values['database-url']) throw new Error('--database-url is required');
await initTf();
const database = await openDatabase({ url: values['database-url'] });
const run = await latestScoringRun(database.db);
if (!run) throw new Error('no scoring run: run bench/events/run.ts first');
const model = await loadChurnModel('data/generated/events-bench/models', run.modelVersion);
const batches = Number(values.batches);
const ids = (await queryRows<{ id: string }>(database.db, sql`SELECT id FROM customers WHERE erased_at IS NULL ORDER BY random() LIMIT ${100 * batches}`)).map((r) => Number(r.id));
const rollback = new Error('rollback');
for (const n of [10, 100]) {
  const ms = { locks: 0, lines: 0, scoring: 0, upsert: 0 };
  let rows = 0;
  // the first batch warms up V8 and tfjs: not counted
  for (let k = 0; k <= batches; k++) {
    const batch = ids.slice((k % batches) * n, (k % batches) * n + n);
    await database.db
      .transaction(async (tx) => {
        const t0 = performance.now();
        await lockCustomersForScoring(tx, batch);
        const t1 = performance.now();
        const { log } = await customerLines(tx, batch);
        const t2 = performance.now();
        const table = scoreCustomers(log, model, run.asOf.getTime(), {}, run.population);
        const live = Array.from({ length: table.rows }, (_, i) => ({ ...table.row(i), customerId: Number(table.customerIds[i]!), asOf: run.asOf.getTime() }));
        const t3 = performance.now();
        await upsertLiveScores(tx, live, { id: run.id, modelVersion: run.modelVersion });
        const t4 = performance.now();
        if (k > 0) {
          ms.locks += t1 - t0;
          ms.lines += t2 - t1;
          ms.scoring += t3 - t2;
          ms.upsert += t4 - t3;
          rows += log.customer.length + (log.cancellations?.customer.length ?? 0);
        }
        throw rollback;
      })
      .catch((err: unknown) => {
        if (err !== rollback) throw err;
      });
  }
  const per = (v: number) => (v / batches).toFixed(1);
  process.stdout.write(`${n} customers per batch: locks ${per(ms.locks)} ms, lines ${per(ms.lines)} ms (${Math.round(rows / batches)} lines), scoring ${per(ms.scoring)} ms, upsert ${per(ms.upsert)} ms\n`);
}
await database.close();
