// Live scores: when purchases of customers are stored (an event batch, an import, a cancellation),
// their customer_scores rows are recomputed in the same transaction, with the churn model and the
// population parameters of the latest full scoring run (scoring_runs). In the same transaction
// rather than after it through a queue: the purchase and the score it implies commit or vanish
// together, a crash leaves nothing to replay, and an erasure (which locks customer_scores first)
// orders against both at once. The cost is the scoring time inside the write (measured in
// bench/events). Readers on every replica read customer_scores, so they see the row at commit.
import { loadChurnModel, type ChurnModel } from '../artifacts/codecs/churn.ts';
import type { Db } from '../db/client.ts';
import { customerLines, latestScoringRun, lockCustomersForScoring, lockScoresForWriting, staleScoreCustomers, upsertLiveScores, type LiveScoreRow } from '../db/queries/customer-scores-live.ts';
import type { ScoringRun } from '../db/schema/index.ts';
import { scoreCustomers } from './customer-scoring.ts';

/** Any drizzle handle: the pool or an open transaction. */
type Tx = Parameters<typeof latestScoringRun>[0];

export interface LiveScoresOptions {
  modelsDir: string;
  /** The churn model of the latest run does not load: live scoring is off until one does. */
  onModelMissing: (version: string, err: unknown) => void;
}

/**
 * A row's as_of: the run's clock read now ('now': the wall clock; 'data': the run's as_of), moved
 * past the customer's latest line when that is later (an event dated after a historical data set
 * ends), so that every line counts and recency is never negative.
 */
function liveAsOf(run: Pick<ScoringRun, 'clock' | 'asOf'>, latestLine: number, now: number): number {
  const clock = run.clock === 'now' ? now : run.asOf.getTime();
  return Math.max(clock, latestLine + 1);
}

export class LiveScores {
  private loaded: { run: ScoringRun; model: ChurnModel } | undefined;
  private failedVersion: string | undefined;

  constructor(private readonly options: LiveScoresOptions) {}

  /** Picks up a newer full run (and its churn model); on every replica poll and at start. */
  async refresh(db: Tx): Promise<void> {
    const run = await latestScoringRun(db);
    if (!run) {
      this.loaded = undefined;
      return;
    }
    if (this.loaded?.run.id === run.id) return;
    if (this.loaded?.run.modelVersion === run.modelVersion) {
      this.loaded = { run, model: this.loaded.model };
      return;
    }
    try {
      this.loaded = { run, model: await loadChurnModel(this.options.modelsDir, run.modelVersion) };
      this.failedVersion = undefined;
    } catch (err) {
      // scores then stay as the full run wrote them; said once per version
      if (this.failedVersion !== run.modelVersion) this.options.onModelMissing(run.modelVersion, err);
      this.failedVersion = run.modelVersion;
      this.loaded = undefined;
    }
  }

  /**
   * Re-scores `customerIds` (customers.id) inside `tx`, after their new lines were written there.
   * Without a full run yet (nothing to score against) it does nothing.
   */
  async rescore(tx: Tx, customerIds: readonly number[]): Promise<number> {
    const loaded = this.loaded;
    if (!loaded || customerIds.length === 0) return 0;
    const { run, model } = loaded;
    const ids = [...new Set(customerIds)];
    await lockCustomersForScoring(tx, ids);
    const { log, latest } = await customerLines(tx, ids);
    if (log.customer.length === 0) return 0;
    const now = Date.now();
    // customers grouped by as_of (one group unless events are dated past the run's clock)
    const groups = new Map<number, Set<string>>();
    for (const [customer, t] of latest) {
      const asOf = liveAsOf(run, t, now);
      if (!groups.has(asOf)) groups.set(asOf, new Set());
      groups.get(asOf)!.add(customer);
    }
    const rows: LiveScoreRow[] = [];
    for (const [asOf, members] of groups) {
      const table = scoreCustomers(log, model, asOf, {}, run.population);
      for (let i = 0; i < table.rows; i++) {
        if (!members.has(table.customerIds[i]!)) continue;
        rows.push({ ...table.row(i), customerId: Number(table.customerIds[i]!), asOf });
      }
    }
    await upsertLiveScores(tx, rows, { id: run.id, modelVersion: run.modelVersion });
    return rows.length;
  }

  /**
   * After an import: re-scores every customer whose row misses some of their lines, `chunk` at a
   * time, each chunk in a transaction of its own that takes the erasure's lock first (as an event
   * batch does). An import interrupted before this leaves such rows to the next import or full run.
   */
  async rescoreStale(db: Db, chunk = 500, onRows?: (done: number, total: number) => void): Promise<number> {
    await this.refresh(db);
    if (!this.loaded) return 0;
    const stale = await staleScoreCustomers(db);
    let done = 0;
    for (let start = 0; start < stale.length; start += chunk) {
      done += await db.transaction(async (tx) => {
        await lockScoresForWriting(tx);
        return this.rescore(tx, stale.slice(start, start + chunk));
      });
      onRows?.(Math.min(start + chunk, stale.length), stale.length);
    }
    return done;
  }
}
