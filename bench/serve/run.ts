// Serving benchmark: the real server (`retain serve`, its own process) with a generated model of
// 100,000 customers × 20,000 items × 64 factors; autocannon from a second, lean process (load.ts),
// 50 connections, 10 s per scenario, all in one run so the ratios compare like with like. The
// anchors, in the same run with the same autocannon settings: a bare node:http server and a bare
// Hono app (bare.ts, each its own process) answering the same small JSON body as /healthz.
//
//   npx tsx bench/serve/run.ts [--duration 10] [--connections 50] [--rounds 1] [--server-heap-mb 256] [--database-url postgres://...] [--json]
//
// --json prints one object, {"scenarios": [{"name", "rps", "p50_ms", "p99_ms", "errors", "vs_healthz",
// "vs_hono", "vs_node_http", "cpu_s"}], "rss_mib", "budget_mib"}, instead of the tables.
// --rounds N runs the scenarios N times in turn and reports each scenario's median round, so a
// burst of load from other processes on the machine hits every scenario alike.
//
// The model is generated once under data/generated/serve-bench/ (git-ignored) and reused. The
// server's database is rebuilt each run: embedded PGlite (in the server's process, so in its RSS)
// by default, or a fresh `retain_serve_bench` database on the PostgreSQL server given.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Result } from 'autocannon';
import postgres from 'postgres';
import type { Recommender } from '../../src/ml/cf/recommender.ts';
import { loadRecommender } from '../../src/artifacts/codecs/recommender.ts';
import { currentVersion } from '../../src/artifacts/store.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { createRng } from '../../src/ml/numeric/rng.ts';
import { migrate, openDatabase } from '../../src/db/client.ts';
import { prepareBenchModel, seedBenchDatabase, type BenchData } from './generate.ts';
import { cpuSeconds, freePort, runLoad, startServer, table } from './harness.ts';
import type { LoadSpec } from './load.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'database-url': { type: 'string' },
    rounds: { type: 'string', default: '1' },
    'server-heap-mb': { type: 'string', default: '256' },
    json: { type: 'boolean', default: false },
  },
});
const heapMb = Number(values['server-heap-mb']);
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);

await initTf();
const data = await prepareBenchModel('data/generated/serve-bench');
const foldInMs = await measureFoldIn(data);
const databaseEnv = await prepareDatabase(data, values['database-url']);

const port = await freePort();
const server = await startServer({ port, foldInDone: true, env: { ...databaseEnv, MODELS_DIR: data.modelsDir, LOG_LEVEL: 'info', ...(heapMb > 0 ? { NODE_OPTIONS: `--max-old-space-size=${heapMb}` } : {}) } });
const bare = { nodeHttp: await startBare('node-http'), hono: await startBare('hono') };
try {
  const base = `http://127.0.0.1:${port}`;
  const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
  await checkAnswers(base, data);
  const fresh = new Set(data.freshCustomerIds);
  const known = data.customerIds.filter((id) => !fresh.has(id));
  const scenarios: { name: string; path: string; ids?: string[]; url?: string; pid?: number }[] = [
    { name: 'bare node:http, small JSON', path: '/healthz', url: bare.nodeHttp.url, pid: bare.nodeHttp.child.pid! },
    { name: 'bare Hono, small JSON', path: '/healthz', url: bare.hono.url, pid: bare.hono.child.pid! },
    { name: 'GET /healthz', path: '/healthz' },
    { name: 'recommendations, known customers', path: '/v1/customers/{id}/recommendations?limit=10', ids: known },
    { name: 'recommendations, fresh purchases (fold-in)', path: '/v1/customers/{id}/recommendations?limit=10', ids: data.freshCustomerIds },
    { name: 'similar items', path: '/v1/items/{id}/similar?limit=10', ids: data.itemIds },
    { name: 'recommendations, known, category filter', path: '/v1/customers/{id}/recommendations?limit=10&category=cat-3', ids: known },
  ];
  const specDir = await mkdtemp(join(tmpdir(), 'retain-serve-bench-'));
  const specFiles: string[] = [];
  for (const [i, s] of scenarios.entries()) {
    const spec: LoadSpec = { url: s.url ?? base, connections, duration, warmup: 2, title: s.name, path: s.path, ...(s.ids ? { ids: s.ids } : {}), seed: i + 1 };
    specFiles.push(join(specDir, `${i}.json`));
    await writeFile(specFiles[i]!, JSON.stringify(spec));
  }
  const byScenario: { result: Result; cpu: number }[][] = scenarios.map(() => []);
  let memoryAfterCore = { rss: 0, peak: 0 };
  for (let round = 0; round < rounds; round++) {
    for (const [i, s] of scenarios.entries()) {
      process.stderr.write(`round ${round + 1}/${rounds}: ${s.name} (${duration} s, ${connections} connections)\n`);
      const pid = s.pid ?? server.pid!;
      const cpuBefore = await cpuSeconds(pid);
      const result = await runLoad(specFiles[i]!);
      byScenario[i]!.push({ result, cpu: (await cpuSeconds(pid)) - cpuBefore });
      if (s.name === 'similar items') memoryAfterCore = await serverMemory(server.pid!);
    }
  }
  await rm(specDir, { recursive: true, force: true });
  const medians = byScenario.map((rs) => [...rs].sort((a, b) => a.result.requests.average - b.result.requests.average)[rs.length >> 1]!);
  const results = medians.map((m) => m.result);
  const memory = await serverMemory(server.pid!);
  const breakdown = [...(await (await fetch(`${base}/metrics`)).text()).matchAll(/^(nodejs_heap_size_used_bytes|nodejs_heap_size_total_bytes|nodejs_external_memory_bytes|retain_array_buffers_bytes) (\d+)$/gm)].map((m) => `${m[1]} ${(Number(m[2]) / 2 ** 20).toFixed(0)}`);
  const rps = (name: string) => results[scenarios.findIndex((s) => s.name === name)]!.requests.average;
  const anchors = { healthz: rps('GET /healthz'), hono: rps('bare Hono, small JSON'), nodeHttp: rps('bare node:http, small JSON') };
  const summary = results.map((r, i) => ({
    name: r.title!,
    rps: Math.round(r.requests.average),
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    errors: r.non2xx + r.errors + r.timeouts,
    vs_healthz: round2(r.requests.average / anchors.healthz),
    vs_hono: round2(r.requests.average / anchors.hono),
    vs_node_http: round2(r.requests.average / anchors.nodeHttp),
    cpu_s: round2(medians[i]!.cpu),
  }));
  const modelMb = data.modelBytes / 2 ** 20;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ scenarios: summary, rss_mib: Math.round(memoryAfterCore.rss / 2 ** 20), budget_mib: Math.round(1.5 * modelMb + 200) })}\n`);
  } else {
    const rows = summary.map((r) => [r.name, String(r.rps), r.vs_healthz.toFixed(2), r.vs_hono.toFixed(2), r.vs_node_http.toFixed(2), String(r.p50_ms), String(r.p99_ms), String(r.errors), r.cpu_s.toFixed(1)]);
    process.stdout.write(`\nserver database: ${values['database-url'] ? 'PostgreSQL (separate process)' : 'PGlite (inside the server process)'}; V8 old space ${heapMb > 0 ? `capped at ${heapMb} MiB` : 'uncapped'}\n`);
    process.stdout.write(`model: ${data.customerIds.length} customers × ${data.itemIds.length} items × 64 factors, ${modelMb.toFixed(1)} MiB on disk; ${data.freshCustomerIds.length} customers with fresh purchases\n`);
    process.stdout.write(table(['scenario', 'req/s', 'vs /healthz', 'vs Hono', 'vs node:http', 'p50 ms', 'p99 ms', 'errors', 'server CPU s'], rows));
    const mib = (b: number) => (b / 2 ** 20).toFixed(0);
    process.stdout.write(`(${rounds} round${rounds === 1 ? '' : 's'}; median round per scenario; load average before: ${loadBefore}, after: ${loadavg().map((l) => l.toFixed(1)).join(' ')})\n`);
    process.stdout.write(`\nserver RSS after the four issue scenarios: ${mib(memoryAfterCore.rss)} MiB; after all: ${mib(memory.rss)} MiB; peak (incl. model load): ${mib(memory.peak)} MiB; budget 1.5 × model + 200 MiB = ${(1.5 * modelMb + 200).toFixed(0)} MiB\n`);
    process.stdout.write(`server memory by kind (MiB, from /metrics): ${breakdown.join(', ')}\n`);
    process.stdout.write(`fold-in computed from scratch (cache miss; done when the purchase arrives): ${foldInMs.toFixed(2)} ms per customer, in this process\n`);
  }
} finally {
  server.kill('SIGTERM');
  bare.nodeHttp.child.kill('SIGTERM');
  bare.hono.child.kill('SIGTERM');
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** One of the bare anchors (bare.ts) on a free port, once it listens. */
async function startBare(kind: 'node-http' | 'hono'): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/serve/bare.ts', kind, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`bare ${kind} server exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

/** Time of one uncached fold-in (history + fresh items → top-100) on the same model. */
async function measureFoldIn(d: BenchData): Promise<number> {
  const version = await currentVersion(d.modelsDir, 'recommender');
  const recommender = await loadRecommender(d.modelsDir, version!);
  const r: Recommender = recommender;
  const rng = createRng(3);
  const runs = 300;
  const started = performance.now();
  for (let n = 0; n < runs; n++) {
    const items = Array.from({ length: 11 }, () => rng.int(d.itemIds.length));
    r.recommendFromItems(items, 100);
  }
  return (performance.now() - started) / runs;
}

async function checkAnswers(base: string, d: BenchData): Promise<void> {
  const get = async (path: string) => (await (await fetch(base + path)).json()) as { source?: string; items?: unknown[] };
  const known = await get(`/v1/customers/${d.customerIds[d.customerIds.length - 1]}/recommendations?limit=10`);
  const fresh = await get(`/v1/customers/${d.freshCustomerIds[0]}/recommendations?limit=10`);
  const similar = await get(`/v1/items/${d.itemIds[5]}/similar?limit=10`);
  if (known.source !== 'personalized' || known.items?.length !== 10 || fresh.source !== 'personalized' || similar.items?.length !== 10) {
    throw new Error(`unexpected answers: ${JSON.stringify({ known, fresh, similar }).slice(0, 500)}`);
  }
}

/** A fresh database for the server; returns the environment that points the server at it. */
async function prepareDatabase(d: BenchData, serverUrl: string | undefined): Promise<Record<string, string>> {
  if (!serverUrl) {
    const dir = 'data/generated/serve-bench/pglite';
    await rm(dir, { recursive: true, force: true });
    const database = await openDatabase({ dataDir: dir });
    await migrate(database);
    await seedBenchDatabase(database, d);
    await database.close();
    return { PGLITE_DIR: dir, DATABASE_URL: '' };
  }
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe('DROP DATABASE IF EXISTS retain_serve_bench WITH (FORCE)');
  await admin.unsafe('CREATE DATABASE retain_serve_bench');
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = '/retain_serve_bench';
  const database = await openDatabase({ url: url.toString() });
  await migrate(database);
  await seedBenchDatabase(database, d);
  await database.close();
  return { DATABASE_URL: url.toString() };
}


async function serverMemory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

