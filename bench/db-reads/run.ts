// Database-backed reads against the database's own speed, in one run:
//
//   npx tsx bench/db-reads/run.ts [--rounds 2] [--duration 10] [--connections 10] [--workers 2] [--pool N] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
//
// The anchor is `pgbench -S` (single-row primary-key selects) with as many clients as autocannon
// has connections, simple and prepared protocol, on a pgbench database of scale 10 on the same
// server. Then the real server (`retain serve`, its own process, on PostgreSQL) with the Online
// Retail shop (4,338 customers, imported, recommender and churn model trained, every customer
// scored), loaded by autocannon from a lean process (bench/serve/load.ts) with the same number of
// connections: `GET /v1/customers/{id}` for random customers, and the at-risk page of 50 with 3
// recommendations each, against one server process and against `retain serve --workers N` (both
// started once, on their own ports; --pool sets each process's DATABASE_POOL). Scenarios alternate
// within each round; --rounds repeats them and every round is printed. The shop database (`retain_db_reads_bench`) and its models
// (data/generated/db-reads/) are built once and reused.
import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { cpuSeconds, freePort, runLoad, startServer, stopServer, table } from '../serve/harness.ts';
import type { LoadSpec } from '../serve/load.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10' },
    workers: { type: 'string', default: '2' },
    pool: { type: 'string' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
});
const rounds = Number(values.rounds);
const duration = Number(values.duration);
const connections = Number(values.connections);
const workers = Number(values.workers);
const serverUrl = values['database-url'];
const SHOP = 'retain_db_reads_bench';
const PGBENCH = 'retain_pgbench';
const MODELS = 'data/generated/db-reads/models';
const RETAIL = 'data/online-retail';

const urlOf = (database: string) => {
  const u = new URL(serverUrl);
  u.pathname = `/${database}`;
  return u.toString();
};

const shopUrl = urlOf(SHOP);
const customerIds = await prepareShop();
preparePgbench();
const pool: Record<string, string> = values.pool === undefined ? {} : { DATABASE_POOL: values.pool };
const servers: { label: string; process: ChildProcess; port: number }[] = [];
for (const n of workers > 1 ? [1, workers] : [1]) {
  const port = await freePort();
  const child = await startServer({ port, env: { DATABASE_URL: shopUrl, MODELS_DIR: MODELS, WORKERS: String(n), ...pool } });
  servers.push({ label: n === 1 ? '1 process' : `${n} workers`, process: child, port });
}
const specDir = await mkdtemp(join(tmpdir(), 'retain-db-reads-'));
try {
  const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
  const scenarios = [
    { name: 'GET /v1/customers/{id}', path: '/v1/customers/{id}', ids: customerIds },
    { name: 'at-risk, 50 with 3 recommendations', path: '/v1/churn/at-risk?tier=high&limit=50&with_recommendations=3' },
  ];
  const http = servers.flatMap((server) => scenarios.map((s) => ({ ...s, server })));
  for (const [i, s] of http.entries()) {
    const spec: LoadSpec = { url: `http://127.0.0.1:${s.server.port}`, connections, duration, warmup: 2, title: s.name, path: s.path, ...(s.ids ? { ids: s.ids } : {}), seed: (i % scenarios.length) + 1 };
    await writeFile(join(specDir, `${i}.json`), JSON.stringify(spec));
  }
  const rows: string[][] = [];
  for (let round = 1; round <= rounds; round++) {
    const simple = pgbench('simple');
    const prepared = pgbench('prepared');
    rows.push([String(round), `pgbench -S -c ${connections} (simple)`, '', String(Math.round(simple.tps)), '', '', simple.latencyMs.toFixed(2), '', '', `${simple.cpu.toFixed(1)} (pgbench)`]);
    rows.push([String(round), `pgbench -S -c ${connections} -M prepared`, '', String(Math.round(prepared.tps)), '', '', prepared.latencyMs.toFixed(2), '', '', `${prepared.cpu.toFixed(1)} (pgbench)`]);
    for (const [i, s] of http.entries()) {
      process.stderr.write(`round ${round}/${rounds}: ${s.name}, ${s.server.label} (${duration} s, ${connections} connections)\n`);
      const pids = processTree(s.server.process.pid!);
      const cpuBefore = await totalCpuSeconds(pids);
      const r = await runLoad(join(specDir, `${i}.json`));
      const cpu = (await totalCpuSeconds(pids)) - cpuBefore;
      const rps = r.requests.average;
      rows.push([
        String(round),
        s.name,
        s.server.label,
        String(Math.round(rps)),
        (rps / simple.tps).toFixed(2),
        (rps / prepared.tps).toFixed(2),
        String(r.latency.average),
        String(r.latency.p50),
        String(r.latency.p99),
        `${cpu.toFixed(1)} (server)`,
        String(r.non2xx + r.errors + r.timeouts),
      ]);
    }
  }
  const poolSize = values.pool ?? 'default';
  process.stdout.write(`shop: Online Retail, ${customerIds.length} customers; ${connections} connections / clients, ${duration} s each (HTTP after 2 s of warm-up); servers: ${servers.map((x) => x.label).join(', ')}; DATABASE_POOL ${poolSize} per process\n`);
  process.stdout.write(
    table(['round', 'scenario', 'server', 'req/s or tps', 'vs pgbench -S', 'vs -M prepared', 'mean ms', 'p50 ms', 'p99 ms', 'CPU s', 'errors'], rows.map((r) => [...r, ...Array(11 - r.length).fill('')])),
  );
  process.stdout.write(`load average before: ${loadBefore}, after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
} finally {
  await Promise.all(servers.map((x) => stopServer(x.process)));
  await rm(specDir, { recursive: true, force: true });
}

/** The process and its descendants (a --workers primary and its workers). */
function processTree(pid: number): number[] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  return [pid, ...children.flatMap(processTree)];
}

async function totalCpuSeconds(pids: number[]): Promise<number> {
  const each = await Promise.all(pids.map(cpuSeconds));
  return each.reduce((a, b) => a + b, 0);
}

/** The scored shop, built once: returns its customers' ids. */
async function prepareShop(): Promise<string[]> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`SELECT 1 AS one FROM pg_database WHERE datname = ${SHOP}`;
    if (exists && existsSync(join(MODELS, 'churn')) && existsSync(join(MODELS, 'recommender'))) {
      const shop = postgres(shopUrl, { max: 1, onnotice: () => {} });
      const scored = await shop<{ n: number }[]>`SELECT count(*)::int AS n FROM customer_scores`;
      if (scored[0]!.n > 0) return ids(shop);
      await shop.end();
    }
    process.stderr.write(`building ${SHOP} (import, train, score: a few minutes)\n`);
    await admin.unsafe(`DROP DATABASE IF EXISTS ${SHOP} WITH (FORCE)`);
    await admin.unsafe(`CREATE DATABASE ${SHOP}`);
  } finally {
    await admin.end();
  }
  const retain = (...args: string[]) =>
    execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, DATABASE_URL: shopUrl, MODELS_DIR: MODELS, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] });
  retain('db', 'migrate');
  retain('import', 'items', `${RETAIL}/stockcode_descriptions.csv.gz`, '--format', 'online-retail-descriptions');
  retain('import', 'customers', `${RETAIL}/customer_countries.csv`, '--format', 'online-retail-countries');
  retain('import', 'purchases', `${RETAIL}/online_retail_lines.csv.gz`, '--format', 'online-retail');
  retain('train', 'recommender', '--model', 'ease');
  retain('train', 'churn', '--score');
  return ids(postgres(shopUrl, { max: 1, onnotice: () => {} }));
}

async function ids(shop: postgres.Sql): Promise<string[]> {
  try {
    const rows = await shop<{ id: string }[]>`SELECT c.external_id AS id FROM customers c JOIN customer_scores s ON s.customer_id = c.id WHERE c.erased_at IS NULL ORDER BY c.id`;
    return rows.map((r) => r.id);
  } finally {
    await shop.end();
  }
}

function preparePgbench(): void {
  const psql = spawnSync('psql', [serverUrl, '-Atc', `SELECT 1 FROM pg_database WHERE datname = '${PGBENCH}'`], { encoding: 'utf8' });
  if (psql.stdout.trim() === '1') return;
  execFileSync('psql', [serverUrl, '-qc', `CREATE DATABASE ${PGBENCH}`]);
  execFileSync('pgbench', ['-i', '-s', '10', '-q', urlOf(PGBENCH)], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** `pgbench -S` for `duration` seconds; CPU seconds of pgbench itself (the client) from /usr/bin/time. */
function pgbench(protocol: 'simple' | 'prepared'): { tps: number; latencyMs: number; cpu: number } {
  process.stderr.write(`pgbench -S -M ${protocol} (${duration} s, ${connections} clients)\n`);
  const out = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', 'pgbench', '-S', '-n', '-M', protocol, '-c', String(connections), '-j', '2', '-T', String(duration), urlOf(PGBENCH)], { encoding: 'utf8' });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(out.stdout)?.[1];
  const latency = /latency average = ([\d.]+) ms/.exec(out.stdout)?.[1];
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(out.stderr);
  if (!tps || !latency || !cpu) throw new Error(`pgbench failed:\n${out.stdout}\n${out.stderr}`);
  return { tps: Number(tps), latencyMs: Number(latency), cpu: Number(cpu[1]) + Number(cpu[2]) };
}


