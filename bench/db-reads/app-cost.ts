// Server CPU per database-backed read, without HTTP: `npx tsx bench/db-reads/app-cost.ts [--pool 10]`.
// The real app (createApp, ServiceRuntime) over the db-reads shop on PostgreSQL (built by run.ts),
// called through app.fetch in this process with 10 requests in flight, in interleaved chunks (5 per
// case, median chunk; CPU time from process.cpuUsage, so load from other processes hits each case
// alike). The CPU is this process's alone: the app, drizzle, postgres.js and their socket calls,
// not PostgreSQL's. run.ts measures whole servers over HTTP.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { createApp } from '../../src/api/app.ts';
import { openDatabase, SERVICE_TIMEOUTS } from '../../src/db/client.ts';
import { startTensorflow } from '../../src/jobs/tensorflow.ts';
import { createLogger } from '../../src/logger.ts';
import { ServiceRuntime } from '../../src/services/runtime.ts';

const { values } = parseArgs({ options: { pool: { type: 'string', default: '10' }, 'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/retain_db_reads_bench' } } });
const url = values['database-url'];
const logger = createLogger('silent');
const database = await openDatabase({ url, timeouts: SERVICE_TIMEOUTS, maxConnections: Number(values.pool) });
await startTensorflow({ info: () => {} });
const runtime = new ServiceRuntime({ database, modelsDir: 'data/generated/db-reads/models', logger, pollMs: 0 });
await runtime.start();
const app = createApp({ runtime, logger });
const admin = postgres(url, { max: 1, onnotice: () => {} });
const ids = (await admin<{ id: string }[]>`SELECT c.external_id AS id FROM customers c JOIN customer_scores s ON s.customer_id = c.id ORDER BY c.id`).map((r) => r.id);
await admin.end();

const cases: [string, (k: number) => string, number][] = [
  ['GET /v1/customers/{id}', (k) => `/v1/customers/${ids[(k * 7919) % ids.length]}`, 4000],
  ['at-risk, 50 with 3 recommendations', () => '/v1/churn/at-risk?tier=high&limit=50&with_recommendations=3', 400],
];
const IN_FLIGHT = 10;
const run = async (i: number, n: number): Promise<number> => {
  const [, path] = cases[i]!;
  let next = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < n) {
        const res = await app.fetch(new Request(`http://127.0.0.1${path(next++)}`));
        if (res.status !== 200) throw new Error(`${path(next)}: ${res.status}`);
        await res.text();
      }
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n; // µs per request
};
for (let i = 0; i < cases.length; i++) await run(i, cases[i]![2]); // warm-up: compile the hot paths
const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
const samples = cases.map(() => [] as number[]);
for (let k = 0; k < 5; k++) for (let i = 0; i < cases.length; i++) samples[i]!.push(await run(i, cases[i]![2]));
process.stdout.write(`pool ${values.pool}, ${IN_FLIGHT} requests in flight\n`);
for (const [i, [name]] of cases.entries()) process.stdout.write(`${name.padEnd(40)} ${[...samples[i]!].sort((a, b) => a - b)[2]!.toFixed(0)} µs CPU per request\n`);
process.stdout.write(`load average before: ${loadBefore}, after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
runtime.stop();
await database.close();
