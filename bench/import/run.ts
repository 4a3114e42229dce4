// Import speed and memory: `npx tsx bench/import/run.ts [--big]`.
// Imports the full UCI Online Retail file (541,909 lines) into PostgreSQL and into PGlite (on disk),
// each in a fresh database and in its own process so peak RSS belongs to that import alone.
// --big adds the generated 5M-line file on PostgreSQL (made by generate.ts if missing) to show that
// memory stays flat whatever the file size. PostgreSQL: BENCH_DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/postgres (a scratch database is created and dropped).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import postgres from 'postgres';
import { migrate, openDatabase, type Engine } from '../../src/db/client.ts';
import { importPurchases } from '../../src/import/purchase-import.ts';
import type { PurchaseFormat } from '../../src/import/purchase-row.ts';
import { generatePurchaseFile } from './generate.ts';

const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RETAIL = 'data/online-retail/online_retail_lines.csv.gz';
const BIG = 'data/generated/purchases-5m.csv.gz';

interface Result {
  engine: Engine;
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

/**
 * CPU seconds used so far by the server processes connected to `database` (Linux /proc; clock
 * ticks of 1/100 s). Read before the pool closes, while the import's backend still exists.
 */
function backendCpuSeconds(database: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(database)) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return ticks / 100;
}

function runChild(engine: Engine, file: string, format: PurchaseFormat): Result {
  const out = execFileSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--child', engine, file, format], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out.trim().split('\n').pop()!) as Result;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1] as Engine, args[2]!, args[3] as PurchaseFormat);
  const cases: [Engine, string, PurchaseFormat][] = [
    ['postgres', RETAIL, 'online-retail'],
    ['pglite', RETAIL, 'online-retail'],
  ];
  if (args.includes('--big')) {
    if (!existsSync(BIG)) await generatePurchaseFile(BIG, 5_000_000);
    cases.push(['postgres', BIG, 'canonical']);
  }
  process.stdout.write('engine    file                                       lines  seconds  lines/s  CPU s client+server  peak RSS MB (after open)\n');
  for (const [engine, file, format] of cases) {
    const r = runChild(engine, file, format);
    process.stdout.write(
      `${r.engine.padEnd(9)} ${r.file.padEnd(42)} ${String(r.lines).padStart(8)} ${r.seconds.toFixed(1).padStart(8)} ${Math.round(r.linesPerSecond).toString().padStart(8)}  ${`${r.clientCpu.toFixed(1)}+${r.serverCpu?.toFixed(1) ?? '-'}`.padStart(19)}  ${r.peakRssMb.toFixed(0).padStart(11)} (${r.rssAfterOpenMb.toFixed(0)})\n`,
    );
  }
  process.stdout.write(`load average at the end: ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores (other work slows the wall times)\n`);
}

await main();
