// What recording served recommendation lists costs: two real servers (`retain serve`) on one
// PostgreSQL database and the serving benchmark's generated model, one recording (ATTRIBUTION_DAYS
// 90: every list buffered and written in batches) and one not (ATTRIBUTION_DAYS=0), loaded in
// alternating rounds (A B, B A, ...) with the "known customers" scenario of run.ts, so drifts in
// the machine's load hit both alike. Reports each side's median round and the ratio.
//
//   npx tsx bench/serve/recording.ts [--rounds 4] [--duration 10] [--connections 50] [--database-url postgres://...]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import type { Result } from 'autocannon';
import postgres from 'postgres';
import { migrate, openDatabase } from '../../src/db/client.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { prepareBenchModel, seedBenchDatabase } from './generate.ts';
import { freePort, runLoad, startServer } from './harness.ts';
import type { LoadSpec } from './load.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '4' }, duration: { type: 'string', default: '10' }, connections: { type: 'string', default: '50' }, 'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' } },
});
const rounds = Number(values.rounds);

await initTf();
const data = await prepareBenchModel('data/generated/serve-bench');
const url = await freshDatabase(values['database-url']!);
const sides = [
  { name: 'recording (ATTRIBUTION_DAYS=90)', env: { ATTRIBUTION_DAYS: '90' } },
  { name: 'not recording (ATTRIBUTION_DAYS=0)', env: { ATTRIBUTION_DAYS: '0' } },
];
const servers: { port: number; child: ChildProcess }[] = [];
try {
  for (const side of sides) {
    const port = await freePort();
    servers.push({ port, child: await startServer({ port, foldInDone: true, timeoutMs: 180_000, env: { DATABASE_URL: url, MODELS_DIR: data.modelsDir, NODE_OPTIONS: '--max-old-space-size=256', ...side.env } }) });
  }
  const fresh = new Set(data.freshCustomerIds);
  const known = data.customerIds.filter((id) => !fresh.has(id));
  const dir = await mkdtemp(join(tmpdir(), 'retain-recording-bench-'));
  const specs: string[] = [];
  for (const [i, s] of servers.entries()) {
    const spec: LoadSpec = { url: `http://127.0.0.1:${s.port}`, connections: Number(values.connections), duration: Number(values.duration), warmup: 2, title: sides[i]!.name, path: '/v1/customers/{id}/recommendations?limit=10', ids: known, seed: 1 };
    specs.push(join(dir, `${i}.json`));
    await writeFile(specs[i]!, JSON.stringify(spec));
  }
  const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
  const results: Result[][] = [[], []];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      process.stderr.write(`round ${round + 1}/${rounds}: ${sides[i]!.name}\n`);
      results[i]!.push(await runLoad(specs[i]!));
    }
  }
  await rm(dir, { recursive: true, force: true });
  // the recording server's buffer is written within a second; then count what arrived
  await new Promise((r) => setTimeout(r, 3000));
  const metrics = await (await fetch(`http://127.0.0.1:${servers[0]!.port}/metrics`)).text();
  const counter = (name: string) => [...metrics.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'gm'))].reduce((s, m) => s + Number(m[1]), 0);
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const [{ n }] = (await sql`select count(*)::int as n from served_recommendations`) as unknown as [{ n: number }];
  await sql.end();

  const medians = results.map((rs) => [...rs].sort((a, b) => a.requests.average - b.requests.average)[rs.length >> 1]!);
  process.stdout.write(`\n${rounds} rounds of ${values.duration} s, ${values.connections} connections, known customers, limit=10; server on PostgreSQL; model ${data.customerIds.length} × ${data.itemIds.length} × 64\n`);
  process.stdout.write('| server | req/s per round | median req/s | median p99 ms |\n|---|---|---|---|\n');
  medians.forEach((m, i) => process.stdout.write(`| ${sides[i]!.name} | ${results[i]!.map((r) => Math.round(r.requests.average)).join(', ')} | ${Math.round(m.requests.average)} | ${m.latency.p99} |\n`));
  process.stdout.write(`recording / not recording: ${(medians[0]!.requests.average / medians[1]!.requests.average).toFixed(3)}\n`);
  process.stdout.write(`lists served by the recording server: ${counter('retain_recommendations_served_total')}; rows written: ${n}; dropped: ${counter('retain_served_lists_dropped_total')}\n`);
  process.stdout.write(`load average before: ${loadBefore}, after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
} finally {
  for (const s of servers) s.child.kill('SIGTERM');
}


async function freshDatabase(serverUrl: string): Promise<string> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe('DROP DATABASE IF EXISTS retain_recording_bench WITH (FORCE)');
  await admin.unsafe('CREATE DATABASE retain_recording_bench');
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = '/retain_recording_bench';
  const database = await openDatabase({ url: u.toString() });
  await migrate(database);
  await seedBenchDatabase(database, data);
  await database.close();
  return u.toString();
}


