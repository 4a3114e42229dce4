// Import speed and memory: `npx tsx bench/import/run.ts [--rounds N] [--big]`.
// Imports the full UCI Online Retail file (541,909 lines) into PostgreSQL and into PGlite (on disk),
// each in a fresh database and in its own process so peak RSS belongs to that import alone. The
// anchor, in the same run just before each PostgreSQL import: a plain COPY of the same gzipped file
// into a bare six-column table (gunzip streamed into COPY ... FROM STDIN, CSV, no checks, no
// indexes), and the import's ratio to it. --rounds repeats the PostgreSQL pair N times.
// --big adds the generated 5M-line file on PostgreSQL (made by generate.ts if missing) to show that
// memory stays flat whatever the file size. PostgreSQL: BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres (a scratch database is created and dropped).
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, rmSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import postgres from 'postgres';
import { migrate, openDatabase, type Engine } from '../../src/db/client.ts';
import { importPurchases, type ImportPhases } from '../../src/import/purchase-import.ts';
import type { PurchaseFormat } from '../../src/import/purchase-row.ts';
import { generatePurchaseFile } from './generate.ts';
import { backendCpuSeconds } from '../postgres-cpu.ts';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RETAIL = 'data/online-retail/online_retail_lines.csv.gz';
const BIG = 'data/generated/purchases-5m.csv.gz';

interface Result {
  engine: Engine | 'copy';
  file: string;
  lines: number;
  seconds: number;
  linesPerSecond: number;
  stored: number;
  peakRssMb: number;
  rssAfterOpenMb: number;
  /** CPU seconds of this process during the import, and of the PostgreSQL backends serving it. */
  clientCpu: number;
  serverCpu?: number;
  phases?: ImportPhases;
}

/** The anchor: the Online Retail file as it is, COPYed into a bare table of its six columns. */
async function copyChild(): Promise<void> {
  const name = `retain_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(SERVER, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const u = new URL(SERVER);
  u.pathname = `/${name}`;
  const sql = postgres(u.toString(), { max: 1, onnotice: () => {} });
  try {
    await sql.unsafe('CREATE TABLE lines (invoice_no text, stock_code text, quantity int, invoice_date timestamp, unit_price float8, customer_id text)');
    const rssAfterOpenMb = process.memoryUsage().rss / 2 ** 20;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const stream = await sql.unsafe('COPY lines FROM STDIN (FORMAT csv, HEADER)').writable();
    await pipeline(createReadStream(RETAIL), createGunzip(), stream);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const [{ n }] = await sql.unsafe<[{ n: number }]>('SELECT count(*)::int AS n FROM lines');
    const result: Result = {
      engine: 'copy',
      file: RETAIL,
      lines: n,
      seconds,
      linesPerSecond: n / seconds,
      stored: n,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      rssAfterOpenMb,
      clientCpu: (used.user + used.system) / 1e6,
      serverCpu: backendCpuSeconds(name),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await sql.end();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

async function child(engine: Engine, file: string, format: PurchaseFormat): Promise<void> {
  const name = `retain_bench_${randomBytes(4).toString('hex')}`;
  const admin = engine === 'postgres' ? postgres(SERVER, { max: 1, onnotice: () => {} }) : undefined;
  const dataDir = `data/generated/${name}`;
  let url: string | undefined;
  if (admin) {
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const u = new URL(SERVER);
    u.pathname = `/${name}`;
    url = u.toString();
  }
  const database = await openDatabase({ url, dataDir });
  try {
    await migrate(database);
    const rssAfterOpenMb = process.memoryUsage().rss / 2 ** 20;
    const cpu = process.cpuUsage();
    const s = await importPurchases(database, file, { format });
    const used = process.cpuUsage(cpu);
    const result: Result = {
      engine,
      file,
      lines: s.read,
      seconds: s.seconds,
      linesPerSecond: s.read / s.seconds,
      stored: s.purchases + s.cancellations,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      rssAfterOpenMb,
      clientCpu: (used.user + used.system) / 1e6,
      serverCpu: admin ? backendCpuSeconds(name) : undefined,
      phases: s.phases,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await database.close();
    if (admin) {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    } else rmSync(dataDir, { recursive: true, force: true });
  }
}

function runChild(...args: string[]): Result {
  const out = execFileSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Result;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return args[1] === 'copy' ? copyChild() : child(args[1] as Engine, args[2]!, args[3] as PurchaseFormat);
  const at = args.indexOf('--rounds');
  const rounds = at === -1 ? 1 : Number(args[at + 1]);
  const cases: ['copy' | Engine, string, PurchaseFormat][] = [];
  for (let r = 0; r < rounds; r++) cases.push(['copy', RETAIL, 'online-retail'], ['postgres', RETAIL, 'online-retail']);
  cases.push(['pglite', RETAIL, 'online-retail']);
  if (args.includes('--big')) {
    if (!existsSync(BIG)) await generatePurchaseFile(BIG, 5_000_000);
    cases.push(['postgres', BIG, 'canonical']);
  }
  process.stdout.write(`load average at the start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores\n`);
  process.stdout.write('engine    file                                       lines  seconds  lines/s  CPU s client+server  peak RSS MB (after open)  × COPY\n');
  let anchor: Result | undefined;
  for (const [engine, file, format] of cases) {
    const r = engine === 'copy' ? runChild('copy') : runChild(engine, file, format);
    if (engine === 'copy') anchor = r;
    const ratio = engine === 'postgres' && file === RETAIL && anchor ? (r.seconds / anchor.seconds).toFixed(2) : '';
    process.stdout.write(
      `${r.engine.padEnd(9)} ${r.file.padEnd(42)} ${String(r.lines).padStart(8)} ${r.seconds.toFixed(2).padStart(8)} ${Math.round(r.linesPerSecond).toString().padStart(8)}  ${`${r.clientCpu.toFixed(1)}+${r.serverCpu?.toFixed(1) ?? '-'}`.padStart(19)}  ${r.peakRssMb.toFixed(0).padStart(11)} (${r.rssAfterOpenMb.toFixed(0)})  ${ratio.padStart(13)}\n`,
    );
    if (r.phases) process.stdout.write(`          phases s: ${Object.entries(r.phases).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}\n`);
  }
  process.stdout.write(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores (other work slows the wall times)\n`);
}

await main();
