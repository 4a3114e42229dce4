import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTestDatabase, testEngines } from '../../helpers/db.ts';

const CLI = ['--import', 'tsx', 'src/cli/main.ts', 'serve'];

/** The CLI as its own process; `log` is its stderr so far (the info log). */
function retainServe(args: string[], env: Record<string, string>): { child: ChildProcess; log: () => string; exited: Promise<{ code: number | null; stderr: string }> } {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'DATABASE_URL' && k !== 'WORKERS'));
  const child = spawn(process.execPath, [...CLI, ...args], { env: { ...base, LOG_LEVEL: 'info', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  return { child, log: () => stderr, exited: new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr }))) };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Status of GET `path`, over `agent`'s connections. */
function status(port: number, path: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode!));
    }).once('error', reject);
  });
}

/** The worker processes of a `retain serve --workers` primary (its children running the CLI, not tsx's esbuild). */
function workerPids(primary: number): number[] {
  const children = readdirSync(`/proc/${primary}/task`).flatMap((t) => readFileSync(`/proc/${primary}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
  return children.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('src/cli/main.ts');
    } catch {
      return false;
    }
  });
}

/** Established TCP connections whose local end is `port`, held by process `pid` (its socket inodes in /proc/net/tcp). */
function connectionsHeld(pid: number, port: number): number {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`).flatMap((fd) => {
      try {
        return [/^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1]].filter((x): x is string => x !== undefined);
      } catch {
        return [];
      }
    }),
  );
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync(`/proc/${pid}/net/tcp`, 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(local) && f[3] === '01' && inodes.has(f[9]!)).length;
}

const until = async (what: string, ok: () => Promise<boolean> | boolean, ms = 60_000) => {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

describe('retain serve --workers', () => {
  it('refuses more than one worker on PGlite, naming the fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'retain-serve-'));
    try {
      for (const [args, env] of [[['--workers', '2'], {}], [[], { WORKERS: '3' }]] as const) {
        const { code, stderr } = await retainServe([...args, '--port', String(await freePort())], { ...env, PGLITE_DIR: join(dir, 'pglite'), MODELS_DIR: dir }).exited;
        expect(code).toBe(1);
        expect(stderr).toMatch(/--workers \d needs PostgreSQL \(DATABASE_URL\)/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe.skipIf(!testEngines().includes('postgres'))('on PostgreSQL', () => {
    // an empty database (the workers migrate it) and no model: /healthz answers all the same
    let database: { url: string; drop(): Promise<void> };
    let modelsDir: string;
    beforeAll(async () => {
      database = await createPostgresTestDatabase();
      modelsDir = await mkdtemp(join(tmpdir(), 'retain-serve-models-'));
    });
    afterAll(async () => {
      await database?.drop();
      await rm(modelsDir, { recursive: true, force: true });
    });

    it('serves from two workers, replaces one that dies, and stops them all on SIGTERM', async () => {
      const port = await freePort();
      const { child, log, exited } = retainServe(['--workers', '2', '--port', String(port), '--poll-ms', '0'], { DATABASE_URL: database.url, MODELS_DIR: modelsDir });
      try {
        await until('both workers listening', () => log().includes('2 workers serving'));
        expect(workerPids(child.pid!)).toHaveLength(2);
        const agent = new Agent({ keepAlive: true, maxSockets: 4 });
        // four requests at once: four connections, dealt to the workers in turn
        expect(await Promise.all([1, 2, 3, 4].map(() => status(port, '/healthz', agent)))).toEqual([200, 200, 200, 200]);
        const workers = workerPids(child.pid!);
        for (const pid of workers) expect(connectionsHeld(pid, port), `worker ${pid}`).toBeGreaterThan(0);
        agent.destroy();

        process.kill(workers[0]!, 'SIGKILL');
        await until('a replacement worker', () => {
          const now = workerPids(child.pid!);
          return now.length === 2 && !now.includes(workers[0]!);
        });
        const replacement = workerPids(child.pid!).find((pid) => pid !== workers[1])!;
        await until('the replacement listening', () => log().split('2 workers serving').length === 3);
        const again = new Agent({ keepAlive: true, maxSockets: 4 });
        expect(await Promise.all([1, 2, 3, 4].map(() => status(port, '/healthz', again)))).toEqual([200, 200, 200, 200]);
        expect(connectionsHeld(replacement, port)).toBeGreaterThan(0);
        again.destroy();

        child.kill('SIGTERM');
        expect((await exited).code).toBe(0);
        for (const pid of [replacement, workers[1]!]) expect(() => process.kill(pid, 0)).toThrow();
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }, 240_000); // three workers start TensorFlow.js: over a minute on a busy machine
  });
});
