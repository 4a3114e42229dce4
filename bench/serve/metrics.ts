// What the per-request metrics cost: `GET /healthz` through a bare Hono app and through one with
// the request-metrics middleware (src/api/metrics.ts), in this process, in interleaved chunks, so
// load from other processes hits both alike. Reports CPU time per request (process.cpuUsage, the
// median chunk), which a shared machine disturbs far less than throughput; bench/serve/run.ts
// measures the whole server.
//
//   npx tsx bench/serve/metrics.ts [--chunks 15] [--requests 20000]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../../src/api/app-env.ts';
import { Metrics } from '../../src/api/metrics.ts';

const { values } = parseArgs({ options: { chunks: { type: 'string', default: '15' }, requests: { type: 'string', default: '20000' } } });
const chunks = Number(values.chunks);
const perChunk = Number(values.requests);

interface Arm {
  name: string;
  middleware?: MiddlewareHandler<AppEnv>;
}

async function measure(arms: Arm[]): Promise<void> {
  const apps = arms.map((arm) => {
    const app = new Hono<AppEnv>();
    if (arm.middleware) app.use('*', arm.middleware);
    app.get('/healthz', (c) => c.json({ status: 'ok' as const }, 200));
    return app;
  });
  const request = new Request('http://127.0.0.1/healthz');
  const run = async (app: Hono<AppEnv>, n: number): Promise<number> => {
    const before = process.cpuUsage();
    for (let i = 0; i < n; i++) await app.fetch(request);
    const used = process.cpuUsage(before);
    return ((used.user + used.system) * 1000) / n; // ns per request
  };
  for (const app of apps) await run(app, perChunk); // warm-up: compile the hot path
  const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
  const samples: number[][] = arms.map(() => []);
  for (let k = 0; k < chunks; k++) for (const [i, app] of apps.entries()) samples[i]!.push(await run(app, perChunk));
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const base = median(samples[0]!);
  for (const [i, arm] of arms.entries()) {
    const m = median(samples[i]!);
    process.stdout.write(`${arm.name.padEnd(22)} ${(m / 1000).toFixed(2)} µs CPU per request (${(m / base).toFixed(3)} of the first), +${((m - base) / 1000).toFixed(2)} µs\n`);
  }
  process.stdout.write(`${chunks} chunks × ${perChunk} requests per arm, median chunk; load average before: ${loadBefore}, after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
}

await measure([{ name: 'no metrics' }, { name: 'prom-client metrics', middleware: new Metrics().middleware() }]);
