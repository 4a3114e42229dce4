// CPU per call of each part of the hot routes on the serving benchmark's model (100k × 20k × 64), in
// one process: the service's answer, the JSON body, the served-list recording, and the whole request
// through the app (app.fetch, no HTTP server; a Request built per call), with /healthz through the
// same app as the anchor. Interleaved
// chunks (median of 5 per case, CPU time from process.cpuUsage), so load from other processes hits
// every case alike. Needs the benchmark's model and database (run bench/serve/run.ts once with
// --database-url first).
//
//   npx tsx bench/serve/handler-cost.ts [--database-url postgres://.../retain_serve_bench]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { getRequestListener } from '@hono/node-server';
import { createApp } from '../../src/api/app.ts';
import { jsonBodies } from '../../src/api/json-bodies.ts';
import { itemJson } from '../../src/api/schemas.ts';
import { openMigratedDatabase } from '../../src/db/client.ts';
import { createLogger } from '../../src/logger.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import type { Recommendations } from '../../src/services/recommendations.ts';
import { ServiceRuntime } from '../../src/services/runtime.ts';
import { prepareBenchModel } from './generate.ts';

const { values } = parseArgs({ options: { 'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/retain_serve_bench' } } });
await initTf();
const data = await prepareBenchModel('data/generated/serve-bench');
const logger = createLogger('silent');
const database = await openMigratedDatabase({ DATABASE_URL: values['database-url'], PGLITE_DIR: '' });
const rt = new ServiceRuntime({ database, modelsDir: data.modelsDir, logger, pollMs: 0, attributionDays: 90, servedFlushMs: 0 });
await rt.start();
while (rt.recommendations.pendingPrefetch > 0) await new Promise((r) => setTimeout(r, 100));
const app = createApp({ runtime: rt, logger });
// installs @hono/node-server's Response in place of undici's, as `retain serve` does: the app's
// answers then cost what they cost in the server (the requests built here stay undici's, alike for every case)
getRequestListener(app.fetch);

const fresh = new Set(data.freshCustomerIds);
const known = data.customerIds.filter((id) => !fresh.has(id));
let k = 0;
const pick = (ids: string[]) => ids[(k = (k * 1_103_515_245 + 12_345) >>> 0) % ids.length]!;
const options = { limit: 10 };
// answers of different customers, so the bodies read the catalog as requests do (one answer over and over stays in cache)
const answers = known.slice(0, 1000).map((id) => rt.recommendations.forCustomer(id, options));
let a = 0;
const answer = () => answers[(a = (a + 1) % answers.length)]!;
const objectsBody = (r: Recommendations) => JSON.stringify({ customer_id: r.customerId, source: r.source, model_version: r.modelVersion, recommendation_id: r.recommendationId, items: r.items.map(itemJson) });
const request = (path: string) => app.fetch(new Request(`http://127.0.0.1${path}`)) as Response;

const cases: [string, () => unknown][] = [
  ['service: known customer (forCustomer)', () => rt.recommendations.forCustomer(pick(known), options)],
  ['service: fold-in customer (forCustomer)', () => rt.recommendations.forCustomer(pick(data.freshCustomerIds), options)],
  ['service: similar items', () => rt.recommendations.similar(pick(data.itemIds), options)],
  ['JSON body, objects (itemJson + JSON.stringify)', () => Buffer.byteLength(objectsBody(answer()))],
  ['JSON body, bytes (jsonBodies.recommendations)', () => jsonBodies.recommendations(answer()).byteLength],
  ['recording a served list (attribution.served)', () => rt.attribution.served(answer())],
  ['app.fetch GET /healthz', () => request('/healthz')],
  ['app.fetch recommendations, known customer', () => request(`/v1/customers/${pick(known)}/recommendations?limit=10`)],
  ['app.fetch recommendations, fold-in customer', () => request(`/v1/customers/${pick(data.freshCustomerIds)}/recommendations?limit=10`)],
  ['app.fetch similar items', () => request(`/v1/items/${pick(data.itemIds)}/similar?limit=10`)],
];
const run = (f: () => unknown, n: number): number => {
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
};
for (const [, f] of cases) run(f, 3000); // warm-up: compile the hot paths
const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
const samples = cases.map(() => [] as number[]);
for (let round = 0; round < 5; round++) {
  for (const [i, [, f]] of cases.entries()) samples[i]!.push(run(f, 5000));
  await rt.flushServed(); // the recorder's buffer would fill otherwise
}
for (const [i, [name]] of cases.entries()) process.stdout.write(`${name.padEnd(54)} ${[...samples[i]!].sort((a, b) => a - b)[2]!.toFixed(2)} µs CPU per call\n`);
process.stdout.write(`load average before: ${loadBefore}, after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
rt.stop();
await rt.flushServed();
await database.close();
