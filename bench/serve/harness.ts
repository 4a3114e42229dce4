// What the HTTP benchmarks (bench/serve, bench/db-reads, bench/events, bench/campaigns) share: `retain
// serve` as its own process, autocannon from its own lean process (load.ts), a process's CPU seconds,
// a free port, a markdown table.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { Result } from 'autocannon';

export interface ServerOptions {
  port: number;
  /** Added to this process's environment (DATABASE_URL, MODELS_DIR, NODE_OPTIONS, ...); HOST is 127.0.0.1, LOG_LEVEL warn unless given. */
  env: Record<string, string>;
  /** Also wait until the fresh customers' fold-in lists are computed (`retain_fold_in_pending 0` in /metrics). */
  foldInDone?: boolean;
  timeoutMs?: number;
}

/** `retain serve` as its own process, resolved once /readyz answers (its stderr is shown if it fails to start). */
export async function startServer(o: ServerOptions): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', String(o.port)], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...o.env, HOST: '127.0.0.1' },
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const base = `http://127.0.0.1:${o.port}`;
  const timeoutMs = o.timeoutMs ?? 120_000;
  const deadline = Date.now() + timeoutMs;
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${log}`);
    if (await fetch(`${base}/readyz`).then((r) => r.ok, () => false)) {
      while (o.foldInDone && !/^retain_fold_in_pending 0$/m.test(await (await fetch(`${base}/metrics`)).text())) await pause(500);
      return child;
    }
    await pause(250);
  }
  child.kill('SIGTERM');
  throw new Error(`server not ready after ${timeoutMs / 1000} s:\n${log}`);
}

/** SIGTERM (graceful), then SIGKILL if it has not exited within 10 s. */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** One scenario from a second process (`script`, default bench/serve/load.ts), so the benchmark's own heap never stalls the load generator. */
export function runLoad(specFile: string, script = 'bench/serve/load.ts'): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, specFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as Result) : reject(new Error(`load generator exited with ${code}`))));
  });
}

/** User + system CPU seconds a process has used so far (Linux /proc; clock ticks of 1/100 s). */
export async function cpuSeconds(pid: number): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |\n`;
  return line(head) + line(widths.map((w) => '-'.repeat(w))) + rows.map(line).join('');
}
