// The cost of writing served recommendation lists, per list, in the process that serves them:
// pushing onto the buffer (the request's part) and the batch insert (the timer's part), in CPU
// time of this process, of the PostgreSQL backend (it shares the cores with the service), and wall
// time. On a fresh database of its own, holding `--customers` customers (the inserts look each
// list's customer up) of whom 1% are erased.
//
//   npx tsx bench/serve/recording-cost.ts [--lists 20000] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { migrate, openDatabase } from '../../src/db/client.ts';
import { createLogger } from '../../src/logger.ts';
import { AttributionService } from '../../src/services/attribution.ts';
import { backendCpuSeconds } from '../postgres-cpu.ts';
import type { Recommendations } from '../../src/services/recommendations.ts';

const { values } = parseArgs({
  options: { lists: { type: 'string', default: '20000' }, customers: { type: 'string', default: '100000' }, 'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' } },
});
const n = Number(values.lists);
const admin = postgres(values['database-url']!, { max: 1, onnotice: () => {} });
await admin.unsafe('DROP DATABASE IF EXISTS retain_recording_cost WITH (FORCE)');
await admin.unsafe('CREATE DATABASE retain_recording_cost');
const url = new URL(values['database-url']!);
url.pathname = '/retain_recording_cost';
const database = await openDatabase({ url: url.toString() });
await migrate(database);
await database.db.execute(sql.raw(`insert into customers (external_id, erased_at) select 'c' || g, case when g % 100 = 0 then now() end from generate_series(0, ${Number(values.customers) - 1}) g`));
const recorder = new AttributionService(database.db, createLogger('silent'), new Set(), { retentionDays: 90, capacity: n, flushMs: 0, pruneEveryMs: 0 });
// lists like the serving benchmark's: 10 items each
const items = Array.from({ length: 10 }, (_, k) => ({ itemId: `item-${k * 37}`, score: 0.5, title: 'Item', category: 'cat-1', price: 1 }));
process.stdout.write(`| round | push, µs CPU per list | batch insert, µs CPU per list (this process) | batch insert, µs CPU per list (PostgreSQL) | batch insert, µs wall per list |\n|---|---|---|---|---|\n`);
for (let round = 1; round <= 3; round++) {
  const lists: Recommendations[] = Array.from({ length: n }, (_, k) => ({ customerId: `c${(k * 7919) % Number(values.customers)}`, source: 'personalized', modelVersion: 'v1', recommendationId: randomUUID(), items }));
  let cpu = process.cpuUsage();
  for (const r of lists) recorder.served(r);
  const push = process.cpuUsage(cpu);
  cpu = process.cpuUsage();
  const started = performance.now();
  const serverCpu = backendCpuSeconds('retain_recording_cost');
  await recorder.flush();
  const flush = process.cpuUsage(cpu);
  const server = backendCpuSeconds('retain_recording_cost') - serverCpu;
  const wall = performance.now() - started;
  const us = (u: NodeJS.CpuUsage) => ((u.user + u.system) / n).toFixed(2);
  process.stdout.write(`| ${round} | ${us(push)} | ${us(flush)} | ${((server * 1e6) / n).toFixed(1)} | ${((wall * 1000) / n).toFixed(1)} |\n`);
}
process.stdout.write(`(${n} lists per round, batches of 1,000; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})\n`);
await database.close();
await admin.unsafe('DROP DATABASE IF EXISTS retain_recording_cost WITH (FORCE)');
await admin.end();
