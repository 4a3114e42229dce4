// The live scorer's reads and writes (src/services/live-scores.ts), inside the transaction that
// stores a customer's purchases: the latest full run, the customers' purchase lines, and one
// multi-row upsert of their score rows.
import { desc, getTableColumns, sql } from 'drizzle-orm';
import { PurchaseLogBuilder, type PurchaseLog } from '../../ml/customers/purchase-log.ts';
import { queryRows, type Db } from '../client.ts';
import { customerScores, scoringRuns, type ScoringRun } from '../schema/index.ts';
import type { ScoreRow } from './customer-scores-replace.ts';

/** Any drizzle handle: the pool or an open transaction. */
type Tx = Pick<Db, 'execute' | 'insert' | 'select'>;

export async function latestScoringRun(db: Tx): Promise<ScoringRun | undefined> {
  const [run] = await db.select().from(scoringRuns).orderBy(desc(scoringRuns.id)).limit(1);
  return run;
}

/** Advisory lock class of live scoring: one key per customer (the id's low 31 bits). */
const LIVE_SCORE_LOCK = 0x52534c56;

/**
 * Serialises live scoring per customer until the transaction ends: a second batch for the same
 * customer waits, then reads the first one's lines. Taken in id order, so batches never deadlock.
 * (Row locks on customers would do too, but campaign exports hold those FOR SHARE for long.)
 */
export async function lockCustomersForScoring(tx: Tx, customerIds: readonly number[]): Promise<void> {
  if (customerIds.length === 0) return;
  await tx.execute(sql`SELECT count(pg_advisory_xact_lock(${LIVE_SCORE_LOCK}, (x % 2147483647)::int))
    FROM (SELECT x FROM unnest(ARRAY[${sql.join(customerIds.map((id) => sql`${id}`), sql`, `)}]::bigint[]) AS x ORDER BY x) s`);
}

/**
 * Customers (not erased) whose score row was not computed from all of their current purchase
 * lines, or who have none: what an import that added lines (or cancellations) leaves to re-score.
 */
export async function staleScoreCustomers(db: Tx): Promise<number[]> {
  const rows = await queryRows<{ id: string | number }>(
    db,
    sql`SELECT l.customer_id AS id
        FROM (SELECT customer_id, count(*) AS n FROM purchases GROUP BY customer_id) l
        JOIN customers c ON c.id = l.customer_id AND c.erased_at IS NULL
        LEFT JOIN customer_scores s ON s.customer_id = l.customer_id
        WHERE s.purchase_lines IS DISTINCT FROM l.n::int
        ORDER BY l.customer_id`,
  );
  return rows.map((r) => Number(r.id));
}

export interface CustomerLines {
  /** Every purchase and cancellation line of the customers, external ids as the log's customer ids. */
  log: PurchaseLog;
  /** customers.id of each external id. */
  idOf: Map<string, number>;
  /** Time of each customer's latest line, ms UTC. */
  latest: Map<string, number>;
}

/** All lines of the customers, in one query (as loadPurchaseLog reads them, item ids internal). */
export async function customerLines(tx: Tx, customerIds: readonly number[]): Promise<CustomerLines> {
  const rows = await queryRows<{ id: string | number; c: string; i: string; o: string; q: number; u: number; t: number; k: 'purchase' | 'cancellation' }>(
    tx,
    sql`SELECT c.id, c.external_id AS c, p.item_id::text AS i, p.order_id AS o, p.quantity AS q, p.unit_price AS u,
               (extract(epoch FROM p.occurred_at) * 1000)::float8 AS t, p.kind AS k
        FROM purchases p JOIN customers c ON c.id = p.customer_id
        WHERE p.customer_id IN (${sql.join(customerIds.map((id) => sql`${id}`), sql`, `)}) AND c.erased_at IS NULL
        ORDER BY p.occurred_at, p.id`,
  );
  const builder = new PurchaseLogBuilder();
  const idOf = new Map<string, number>();
  const latest = new Map<string, number>();
  for (const r of rows) {
    const t = Number(r.t);
    idOf.set(r.c, Number(r.id));
    latest.set(r.c, Math.max(latest.get(r.c) ?? -Infinity, t));
    if (r.k === 'cancellation') builder.addCancellation(r.c, Number(r.q), Number(r.u), t);
    else builder.add(r.c, r.i, r.o, Number(r.q), Number(r.u), t);
  }
  return { log: builder.build(), idOf, latest };
}

export interface LiveScoreRow extends ScoreRow {
  customerId: number;
  /** ms UTC. */
  asOf: number;
}

/**
 * Upserts the rows (one statement, in customer id order as the full run writes them), each unless
 * the stored row was computed from more purchase lines (a later batch got there first).
 */
export async function upsertLiveScores(tx: Tx, rows: LiveScoreRow[], run: { id: number; modelVersion: string }): Promise<void> {
  if (rows.length === 0) return;
  const sorted = [...rows].sort((a, b) => a.customerId - b.customerId);
  const values = sorted.map((r) => ({
    customerId: r.customerId,
    churnProbability: r.churnProbability,
    riskTier: r.riskTier,
    pAlive: r.pAlive,
    expectedPurchases: r.expectedPurchases,
    predictedClv: r.predictedClv,
    valueAtRisk: r.valueAtRisk,
    expectedNextOrderAt: r.expectedNextOrderAt === null ? null : new Date(r.expectedNextOrderAt),
    avgDaysBetweenOrders: r.avgDaysBetweenOrders,
    recencyDays: r.recencyDays,
    frequency: r.frequency,
    monetary: r.monetary,
    rScore: r.rScore,
    fScore: r.fScore,
    mScore: r.mScore,
    segment: r.segment,
    reasons: r.reasons,
    modelVersion: run.modelVersion,
    asOf: new Date(r.asOf),
    scoredAt: sql`now()`,
    runId: run.id,
    purchaseLines: r.purchaseLines,
  }));
  const set = Object.fromEntries(
    Object.entries(getTableColumns(customerScores))
      .filter(([key]) => key !== 'customerId')
      .map(([key, column]) => [key, sql.raw(`excluded.${column.name}`)]),
  );
  await tx
    .insert(customerScores)
    .values(values)
    .onConflictDoUpdate({ target: customerScores.customerId, set, setWhere: sql`${customerScores.purchaseLines} <= excluded.purchase_lines` });
}
