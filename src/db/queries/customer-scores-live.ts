// The live scorer's reads and writes (src/services/live-scores.ts), inside the transaction that
// stores a customer's purchases: the latest full run, the customers' purchase lines, and one
// multi-row upsert of their score rows.
import { desc, sql } from 'drizzle-orm';
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

/**
 * The lock an erasure waits for (it takes customer_scores before the customer row): a writer that
 * will write score rows after locking customer rows takes it first, so it never holds one of the
 * two while waiting for the other.
 */
export async function lockScoresForWriting(tx: Tx): Promise<void> {
  await tx.execute(sql`LOCK TABLE ${customerScores} IN ROW EXCLUSIVE MODE`);
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
  /** Every purchase and cancellation line of the customers; the log's customer ids are customers.id as text. */
  log: PurchaseLog;
  /** Time of each customer's latest line, ms UTC, by the log's customer id. */
  latest: Map<string, number>;
}

/**
 * All lines of the customers, in one query, each customer's in the order loadPurchaseLog reads them
 * (so order numbers, and ties between orders, fall as in a full run). Erased customers have none:
 * an erasure deletes them, and the callers hold the lock an erasure takes first.
 */
export async function customerLines(tx: Tx, customerIds: readonly number[]): Promise<CustomerLines> {
  const rows = await queryRows<{ c: string; i: string; o: string; q: number; u: number; t: number; k: 'purchase' | 'cancellation' }>(
    tx,
    sql`SELECT p.customer_id::text AS c, p.item_id::text AS i, p.order_id AS o, p.quantity AS q, p.unit_price AS u,
               (extract(epoch FROM p.occurred_at) * 1000)::float8 AS t, p.kind AS k
        FROM purchases p
        WHERE p.customer_id IN (${sql.join(customerIds.map((id) => sql`${id}`), sql`, `)})
        ORDER BY p.customer_id, p.occurred_at, p.id`,
  );
  const builder = new PurchaseLogBuilder();
  const latest = new Map<string, number>();
  for (const r of rows) {
    const t = Number(r.t);
    latest.set(r.c, Math.max(latest.get(r.c) ?? -Infinity, t));
    if (r.k === 'cancellation') builder.addCancellation(r.c, Number(r.q), Number(r.u), t);
    else builder.add(r.c, r.i, r.o, Number(r.q), Number(r.u), t);
  }
  return { log: builder.build(), latest };
}

export interface LiveScoreRow extends ScoreRow {
  customerId: number;
  /** ms UTC. */
  asOf: number;
}

/** The score columns a live row sets, as jsonb_to_recordset reads them (snake_case, SQL types). */
const ROW_TYPES = [
  ['customer_id', 'bigint'], ['churn_probability', 'real'], ['risk_tier', 'risk_tier'], ['p_alive', 'real'], ['expected_purchases', 'real'],
  ['predicted_clv', 'double precision'], ['value_at_risk', 'double precision'], ['expected_next_order_at', 'timestamptz'],
  ['avg_days_between_orders', 'real'], ['recency_days', 'real'], ['frequency', 'integer'], ['monetary', 'double precision'],
  ['r_score', 'smallint'], ['f_score', 'smallint'], ['m_score', 'smallint'], ['segment', 'text'], ['reasons', 'jsonb'],
  ['as_of', 'timestamptz'], ['purchase_lines', 'integer'],
] as const;

/**
 * Upserts the rows in one statement with one parameter (a JSON array: binding 20 parameters per
 * row cost more than the scoring), in customer id order as the full run writes them, each unless
 * the stored row was computed from more purchase lines.
 */
export async function upsertLiveScores(tx: Tx, rows: LiveScoreRow[], run: { id: number; modelVersion: string }): Promise<void> {
  if (rows.length === 0) return;
  const records = [...rows]
    .sort((a, b) => a.customerId - b.customerId)
    .map((r) => ({
      customer_id: r.customerId, churn_probability: r.churnProbability, risk_tier: r.riskTier, p_alive: r.pAlive, expected_purchases: r.expectedPurchases,
      predicted_clv: r.predictedClv, value_at_risk: r.valueAtRisk, expected_next_order_at: r.expectedNextOrderAt === null ? null : new Date(r.expectedNextOrderAt).toISOString(),
      avg_days_between_orders: r.avgDaysBetweenOrders, recency_days: r.recencyDays, frequency: r.frequency, monetary: r.monetary,
      r_score: r.rScore, f_score: r.fScore, m_score: r.mScore, segment: r.segment, reasons: r.reasons,
      as_of: new Date(r.asOf).toISOString(), purchase_lines: r.purchaseLines,
    }));
  const names = ROW_TYPES.map(([name]) => name);
  const set = [...names.slice(1), 'model_version', 'run_id', 'scored_at'].map((c) => `${c} = excluded.${c}`).join(', ');
  await tx.execute(sql`INSERT INTO ${customerScores} (${sql.raw(names.join(', '))}, model_version, run_id, scored_at)
    SELECT ${sql.raw(names.map((n) => `r.${n}`).join(', '))}, ${run.modelVersion}, ${run.id}, now()
    FROM jsonb_to_recordset(${JSON.stringify(records)}::jsonb) AS r(${sql.raw(ROW_TYPES.map(([n, t]) => `${n} ${t}`).join(', '))})
    ORDER BY r.customer_id
    ON CONFLICT (customer_id) DO UPDATE SET ${sql.raw(set)}
    WHERE ${customerScores.purchaseLines} <= excluded.purchase_lines`);
}
