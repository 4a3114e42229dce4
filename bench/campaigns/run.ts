// Campaign export benchmark: a campaign of 100,000 members in PostgreSQL, exported as CSV by the
// real server (`retain serve`, its own process) while its resident memory is sampled, against a
// 10,000-member campaign in the same run: flat memory means the same peak for both.
//
//   npx tsx bench/campaigns/run.ts [--members 100000] [--server-heap-mb 0] [--database-url postgres://postgres@127.0.0.1:5432/postgres]
//
// --server-heap-mb N caps the server's V8 old space (0: Node's default), which tells garbage V8
// has not collected yet from memory the export holds.
//
// A fresh `retain_campaign_bench` database is built each run: customers with scores (tiers in
// turn), items, then the campaigns are created through the API (two contacted arms, 50/50, so
// every member is exported) and each member is given four items, as a recommendation arm would.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { migrate, openDatabase } from '../../src/db/client.ts';
import { freePort, startServer } from '../serve/harness.ts';

const { values } = parseArgs({ options: { members: { type: 'string', default: '100000' }, 'server-heap-mb': { type: 'string', default: '0' }, 'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' } } });
const total = Number(values.members);
const small = Math.round(total / 10);
const heapMb = Number(values['server-heap-mb']);

const url = await freshDatabase(values['database-url']!);
await seed(url, total);
const modelsDir = await mkdtemp(join(tmpdir(), 'retain-campaign-bench-'));
const port = await freePort();
const server = await startServer({ port, env: { DATABASE_URL: url, MODELS_DIR: modelsDir, ...(heapMb > 0 ? { NODE_OPTIONS: `--max-old-space-size=${heapMb}` } : {}) } });
const base = `http://127.0.0.1:${port}`;
try {
  const loadBefore = loadavg().map((l) => l.toFixed(1)).join(' ');
  const lines: string[] = [];
  for (const size of [small, total]) {
    const ids = Array.from({ length: size }, (_, k) => `b${k}`);
    let started = performance.now();
    const body = { name: `bench ${size}`, audience: size === total ? { tier: ['high', 'medium', 'low'] } : { customer_ids: ids }, arms: [{ name: 'a', fraction: 0.5 }, { name: 'b', fraction: 0.5 }], seed: 'bench' };
    const res = await fetch(`${base}/v1/campaigns`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = (await res.json()) as { id: number; members: number };
    if (res.status !== 201 || created.members !== size) throw new Error(`campaign not created: ${res.status} ${JSON.stringify(created).slice(0, 300)}`);
    const createSeconds = (performance.now() - started) / 1000;
    await sqlOnce(url, `update campaign_members set items = array['i1','i2','i3','i4'] where campaign_id = ${created.id}`);
    for (const pass of ['first', 'again']) {
      await resetPeak(server.pid!);
      const before = await memory(server.pid!);
      started = performance.now();
      const { rows, bytes, peak } = await exportWhileSampling(`${base}/v1/campaigns/${created.id}/audience?format=csv`, server.pid!);
      const seconds = (performance.now() - started) / 1000;
      const contacts = Number((await sqlOnce(url, `select count(*) as n from contacts where campaign_id = ${created.id}`))[0]!.n);
      if (rows !== size || contacts !== size) throw new Error(`exported ${rows} rows, ${contacts} contacts, expected ${size}`);
      lines.push(
        `| ${size.toLocaleString('en')} | ${pass} | ${pass === 'first' ? createSeconds.toFixed(1) : ''} | ${seconds.toFixed(2)} | ${(bytes / 2 ** 20).toFixed(1)} | ${mib(before.rss)} | ${mib(peak)} | ${mib(peak - before.rss)} |`,
      );
    }
  }
  process.stdout.write(`\nserver on PostgreSQL, V8 old space ${heapMb > 0 ? `capped at ${heapMb} MiB` : 'uncapped'}, CSV export (4 items per member), load average before: ${loadBefore}, after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  process.stdout.write('| members | export | create s | export s | MiB sent | server RSS before, MiB | peak RSS during export, MiB | peak − before, MiB |\n|---|---|---|---|---|---|---|---|\n');
  process.stdout.write(`${lines.join('\n')}\n`);
} finally {
  server.kill('SIGTERM');
  await rm(modelsDir, { recursive: true, force: true });
}

async function freshDatabase(serverUrl: string): Promise<string> {
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe('DROP DATABASE IF EXISTS retain_campaign_bench WITH (FORCE)');
  await admin.unsafe('CREATE DATABASE retain_campaign_bench');
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = '/retain_campaign_bench';
  const database = await openDatabase({ url: u.toString() });
  await migrate(database);
  await database.close();
  return u.toString();
}

async function seed(databaseUrl: string, n: number): Promise<void> {
  await sqlOnce(databaseUrl, `insert into items (external_id, title) select 'i' || k, 'Item number ' || k from generate_series(1, 10) k`);
  await sqlOnce(databaseUrl, `insert into customers (external_id, email) select 'b' || k, 'b' || k || '@example.com' from generate_series(0, ${n - 1}) k`);
  await sqlOnce(
    databaseUrl,
    `insert into customer_scores (customer_id, churn_probability, risk_tier, p_alive, expected_purchases, predicted_clv, value_at_risk, recency_days, frequency, monetary, r_score, f_score, m_score, segment, model_version)
     select id, 0.5, (array['high','medium','low'])[1 + id % 3]::risk_tier, 0.5, 1, 100, 50, 30, 2, 40, 3, 3, 3, 'at_risk', 'bench' from customers`,
  );
}

async function sqlOnce(databaseUrl: string, text: string): Promise<Record<string, unknown>[]> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    return await sql.unsafe(text);
  } finally {
    await sql.end();
  }
}

/** Reads the export to the end, sampling the server's RSS every 20 ms. */
async function exportWhileSampling(target: string, pid: number): Promise<{ rows: number; bytes: number; peak: number }> {
  let peak = 0;
  const sampler = setInterval(() => void memory(pid).then((m) => (peak = Math.max(peak, m.rss))), 20);
  const res = await fetch(target);
  if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  let bytes = 0;
  let newlines = 0;
  for await (const chunk of res.body!) {
    bytes += chunk.length;
    for (const b of chunk) if (b === 10) newlines++;
  }
  clearInterval(sampler);
  const m = await memory(pid);
  return { rows: newlines - 1, bytes, peak: Math.max(peak, m.peak) };
}

/** Writing 5 to clear_refs resets the kernel's peak-RSS mark (VmHWM) of the process. */
async function resetPeak(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}

async function memory(pid: number): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}


