// `retain serve --workers N`: N copies of the service on one port (node:cluster), each a replica
// as several machines would run them (its own pool, models, sync loop and metrics; see
// src/services/runtime.ts), so one machine's cores all serve. The primary only supervises: it
// forks the workers (each re-runs this command), replaces one that dies, and on SIGTERM / SIGINT
// asks each to finish its in-flight requests and waits for them. PostgreSQL only: PGlite is one
// process's private database.
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../logger.ts';

/** How long the workers may take to stop gracefully (each has its own 10 s grace) before they are killed. */
const STOP_TIMEOUT_MS = 20_000;

/**
 * In the primary: runs `workers` servers until SIGTERM / SIGINT, replacing any that dies once
 * serving. One that dies before it listens (bad models, no database) stops them all: exit code 1.
 */
export function superviseWorkers(workers: number, logger: Logger): Promise<number> {
  return new Promise((resolve) => {
    const listening = new Set<Worker>();
    let stopping = false;
    let exitCode = 0;
    const fork = () => cluster.fork().once('listening', function (this: Worker) {
      listening.add(this);
      if (listening.size === workers) logger.info({ workers, pids: [...listening].map((w) => w.process.pid) }, `${workers} workers serving`);
    });
    const stop = (code: number) => {
      if (stopping) return;
      stopping = true;
      exitCode = code;
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined && !w.isDead());
      if (alive.length === 0) return resolve(exitCode);
      for (const w of alive) w.process.kill('SIGTERM');
      setTimeout(() => {
        for (const w of alive) if (!w.isDead()) w.process.kill('SIGKILL');
      }, STOP_TIMEOUT_MS).unref();
    };
    const onSignal = (signal: string) => {
      logger.info({ signal }, 'shutting down: the workers finish their in-flight requests');
      stop(0);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    cluster.on('exit', (worker, code, signal) => {
      const served = listening.delete(worker);
      if (stopping) {
        if (Object.values(cluster.workers ?? {}).every((w) => w === undefined || w.isDead())) resolve(exitCode);
        return;
      }
      if (!served) {
        logger.error({ pid: worker.process.pid, code, signal }, 'a worker failed to start: stopping');
        return stop(1);
      }
      logger.warn({ pid: worker.process.pid, code, signal }, 'a worker died: starting another');
      fork();
    });
    for (let i = 0; i < workers; i++) fork();
  });
}
