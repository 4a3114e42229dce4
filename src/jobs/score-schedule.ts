// Scheduled re-scoring for `retain serve` (SCORE_EVERY): everyone's recency grows while nobody
// buys, so a live shop re-scores everyone as of now every period. With several replicas exactly
// one scores: each checks often, and under a PostgreSQL advisory lock (on PGlite, the one process
// takes it trivially) scores only when the latest run is a period old, so the others find it
// fresh. The full run replaces the rows in one transaction: readers see the old set until the new
// one commits, and rows scored live meanwhile are kept (customer-scores-replace.ts).
import type { Database } from '../db/client.ts';
import { silentProgress, type JobProgress } from './progress.ts';
import { scoreChurn, type StoredScores } from './score-customers.ts';

/** The advisory lock key of the schedule (one bigint). */
const SCHEDULE_LOCK = 0x52_45_54_41_49_4e_53_43n;

export interface ScoreScheduleOptions {
  /** The period (SCORE_EVERY). */
  everyMs: number;
  modelsDir: string;
  /** How often each replica looks (default: a minute, or the period if shorter). */
  checkMs?: number;
  /** After a run this replica did (e.g. to pick up its population at once). */
  onScored?: (stored: StoredScores) => void | Promise<void>;
  /** The clock the runs score as of (default the wall clock; tests set it). */
  now?: () => number;
}

export type ScheduledOutcome = { outcome: 'scored'; stored: StoredScores } | { outcome: 'busy' | 'fresh' };

/** One look: scores as of now unless another replica is scoring or the latest run is younger than the period. */
export async function scheduledScoring(database: Database, options: Pick<ScoreScheduleOptions, 'everyMs' | 'modelsDir' | 'now'>, progress: JobProgress = silentProgress): Promise<ScheduledOutcome> {
  return database.withSession(async (session) => {
    const [lock] = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS ok', [SCHEDULE_LOCK.toString()]);
    if (!lock?.ok) return { outcome: 'busy' };
    try {
      const [last] = await session.query<{ age_ms: number | string | null }>('SELECT extract(epoch FROM now() - max(scored_at)) * 1000 AS age_ms FROM scoring_runs');
      if (last?.age_ms !== null && last?.age_ms !== undefined && Number(last.age_ms) < options.everyMs) return { outcome: 'fresh' };
      return { outcome: 'scored', stored: await scoreChurn(database, { modelsDir: options.modelsDir, asOf: 'now', now: options.now?.() ?? Date.now() }, progress) };
    } finally {
      await session.query('SELECT pg_advisory_unlock($1::bigint)', [SCHEDULE_LOCK.toString()]);
    }
  });
}

export interface ScoreSchedule {
  /** Stops looking; resolves when a run in progress has finished. */
  stop(): Promise<void>;
}

/** Looks every `checkMs` until stopped; a failed look (no churn model, database away) is reported and retried at the next one. */
export function startScoreSchedule(database: Database, options: ScoreScheduleOptions, progress: JobProgress = silentProgress): ScoreSchedule {
  let running: Promise<void> | undefined;
  const look = async () => {
    try {
      const result = await scheduledScoring(database, options, progress);
      if (result.outcome === 'scored') await options.onScored?.(result.stored);
    } catch (err) {
      progress.warn(`scheduled scoring failed: ${(err as Error).message}`);
    }
  };
  const timer = setInterval(() => {
    running ??= look().finally(() => {
      running = undefined;
    });
  }, options.checkMs ?? Math.min(60_000, options.everyMs));
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
