// CPU per request of the app alone, without HTTP: `npx tsx bench/serve/app-cost.ts`.
// The real app (createApp) over the small test shop (test/api/fixture.ts, PGlite in memory) and a
// bare Hono app answering the same /healthz, called through app.fetch in this process, in
// interleaved chunks (5 × 10,000 requests per case, median chunk; CPU time from process.cpuUsage),
// so load from other processes hits every case alike. bench/serve/run.ts measures whole servers.
import { Hono } from 'hono';
import { loadavg } from 'node:os';
import { createApp } from '../../src/api/app.ts';
import { createLogger } from '../../src/logger.ts';
import { openShop } from '../../test/api/fixture.ts';
import { openTestDatabase } from '../../test/helpers/db.ts';

const shop = await openShop(await openTestDatabase('pglite'));
const app = createApp({ runtime: shop.runtime, logger: createLogger('silent') });
const bare = new Hono();
bare.get('/healthz', (c) => c.json({ status: 'ok' }, 200));
const cases: [string, { fetch: (r: Request) => Response | Promise<Response> }, string][] = [
  ['bare Hono /healthz', bare, '/healthz'],
  ['retain /healthz', app, '/healthz'],
  ['retain recommendations, known customer', app, '/v1/customers/c1/recommendations?limit=10'],
  ['retain similar items', app, '/v1/items/i1/similar?limit=10'],
];
const requests = cases.map(([, , path]) => new Request(`http://127.0.0.1${path}`));
const run = async (i: number, n: number): Promise<number> => {
  const before = process.cpuUsage();
  for (let k = 0; k < n; k++) await (await cases[i]![1].fetch(requests[i]!)).text();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n; // µs per request
};
for (let i = 0; i < cases.length; i++) await run(i, 5000); // warm-up: compile the hot paths
const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
const samples = cases.map(() => [] as number[]);
for (let k = 0; k < 5; k++) for (let i = 0; i < cases.length; i++) samples[i]!.push(await run(i, 10_000));
for (const [i, [name]] of cases.entries()) process.stdout.write(`${name.padEnd(40)} ${[...samples[i]!].sort((a, b) => a - b)[2]!.toFixed(2)} µs CPU per request\n`);
process.stdout.write(`load average before: ${loadBefore}, after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
await shop.close();
await shop.database.close();
