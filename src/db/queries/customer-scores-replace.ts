// Writing the scoring job's output: a full run's rows in one transaction, so readers see either
// the previous run's scores or the new ones, never a mix. Rows arrive in chunks (1M customers need
// not sit in memory as objects) and go through COPY into a temporary table keyed by the shop's
// customer id. A row scored live (src/services/live-scores.ts) from purchase lines the run did not
// see is newer than the run's: the run keeps it (the guard on purchase_lines below).
import type { Database } from '../client.ts';
import type { ScoreReason, ScoringPopulation } from '../schema/index.ts';

export interface ScoreRow {
  /** The shop's customer id (customers.external_id). */
  externalId: string;
  churnProbability: number;
  riskTier: 'high' | 'medium' | 'low';
  pAlive: number;
  expectedPurchases: number;
  predictedClv: number;
  valueAtRisk: number;
  /** ms UTC, or null when unknown. */
  expectedNextOrderAt: number | null;
  avgDaysBetweenOrders: number | null;
  recencyDays: number;
  frequency: number;
  monetary: number;
  rScore: number;
  fScore: number;
  mScore: number;
  segment: string;
  reasons: ScoreReason[];
  /** Purchase lines (purchases and cancellations) of the customer the row was computed from: its version. */
  purchaseLines: number;
}

/** What the run stores about itself (scoring_runs) besides its rows. */
export interface ScoringRunInput {
  modelVersion: string;
  clock: 'now' | 'data';
  /** ms UTC. */
  asOf: number;
  population: ScoringPopulation;
  /** Customers with purchase lines the run saw but did not score (none before as_of), with their line counts. */
  unscored?: { externalId: string; purchaseLines: number }[];
}

export interface ReplaceResult {
  runId: number;
  /** Rows the run wrote. */
  written: number;
  /** Rows kept because they were scored live from purchase lines the run did not see. */
  keptNewer: number;
  /** Rows whose external id matched no (non-erased) customer. */
  unknownCustomers: number;
}

const COLUMNS = [
  'external_id', 'churn_probability', 'risk_tier', 'p_alive', 'expected_purchases', 'predicted_clv', 'value_at_risk',
  'expected_next_order_at', 'avg_days_between_orders', 'recency_days', 'frequency', 'monetary', 'r_score', 'f_score',
  'm_score', 'segment', 'reasons', 'purchase_lines',
] as const;

/** The columns a score row sets, besides customer_id: shared with the live writer. */
export const SCORE_COLUMNS = [...COLUMNS.slice(1), 'model_version', 'as_of', 'run_id', 'scored_at'] as const;

/**
 * Replaces customer_scores with the run's rows (`chunks`) and records the run; on any error (also
 * one thrown by the iterator) nothing changes. Rows are written in customer id order, as the live
 * writer writes them, so the two never wait on each other's row locks in a cycle.
 */
export async function replaceCustomerScores(
  database: Database,
  chunks: Iterable<ScoreRow[]> | AsyncIterable<ScoreRow[]>,
  run: ScoringRunInput,
  onRows?: (rowsSoFar: number) => void,
): Promise<ReplaceResult> {
  return database.withSession(async (session) => {
    await session.exec('BEGIN');
    try {
      await session.exec(`CREATE TEMP TABLE incoming_scores (
        external_id text NOT NULL, churn_probability real NOT NULL, risk_tier risk_tier NOT NULL, p_alive real NOT NULL,
        expected_purchases real NOT NULL, predicted_clv double precision NOT NULL, value_at_risk double precision NOT NULL,
        expected_next_order_at timestamptz, avg_days_between_orders real, recency_days real NOT NULL, frequency integer NOT NULL,
        monetary double precision NOT NULL, r_score smallint NOT NULL, f_score smallint NOT NULL, m_score smallint NOT NULL,
        segment text NOT NULL, reasons jsonb NOT NULL, purchase_lines integer NOT NULL
      ) ON COMMIT DROP;
      CREATE TEMP TABLE unscored_customers (external_id text NOT NULL, purchase_lines integer NOT NULL) ON COMMIT DROP`);
      let incoming = 0;
      for await (const chunk of chunks) {
        if (chunk.length === 0) continue;
        await session.copyIn('incoming_scores', COLUMNS, chunk.map(copyLine).join(''));
        incoming += chunk.length;
        onRows?.(incoming);
      }
      const unscored = run.unscored ?? [];
      if (unscored.length > 0) {
        await session.copyIn('unscored_customers', ['external_id', 'purchase_lines'], unscored.map((u) => `${escapeCopy(u.externalId)}\t${u.purchaseLines}\n`).join(''));
      }
      const [created] = await session.query<{ id: number | string }>(
        `INSERT INTO scoring_runs (clock, as_of, model_version, population, customers) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING id`,
        [run.clock, new Date(run.asOf).toISOString(), run.modelVersion, JSON.stringify(run.population), incoming],
      );
      const runId = Number(created!.id);
      // rows of customers the run did not score go, unless computed from lines it did not see
      await session.exec(`ANALYZE incoming_scores`);
      await session.query(
        `DELETE FROM customer_scores s USING customers c
         WHERE c.id = s.customer_id
           AND NOT EXISTS (SELECT 1 FROM incoming_scores i WHERE i.external_id = c.external_id)
           AND s.purchase_lines <= coalesce((SELECT u.purchase_lines FROM unscored_customers u WHERE u.external_id = c.external_id), 0)`,
      );
      const values = COLUMNS.slice(1);
      const upserted = await session.query<{ n: number | string }>(
        `WITH up AS (
           INSERT INTO customer_scores (customer_id, ${SCORE_COLUMNS.join(', ')})
           SELECT c.id, ${values.map((c) => `s.${c}`).join(', ')}, $1, $2, $3, now()
           FROM incoming_scores s JOIN customers c ON c.external_id = s.external_id AND c.erased_at IS NULL
           ORDER BY c.id
           ON CONFLICT (customer_id) DO UPDATE SET ${SCORE_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
           WHERE customer_scores.purchase_lines <= excluded.purchase_lines
           RETURNING 1)
         SELECT count(*) AS n FROM up`,
        [run.modelVersion, new Date(run.asOf).toISOString(), runId],
      );
      const [known] = await session.query<{ n: number | string }>(
        `SELECT count(*) AS n FROM incoming_scores s JOIN customers c ON c.external_id = s.external_id AND c.erased_at IS NULL`,
      );
      await session.exec('COMMIT');
      // fresh planner statistics, or the at-risk page is planned on the old table's (a sort of every tier instead of an index read)
      await session.exec('ANALYZE customer_scores');
      const written = Number(upserted[0]?.n ?? 0);
      const matched = Number(known?.n ?? 0);
      return { runId, written, keptNewer: matched - written, unknownCustomers: incoming - matched };
    } catch (err) {
      await session.exec('ROLLBACK');
      throw err;
    }
  });
}

/** One row in COPY text format: tab-separated, \N for null, backslash escapes. */
function copyLine(r: ScoreRow): string {
  const fields = [
    r.externalId, num(r.churnProbability), r.riskTier, num(r.pAlive), num(r.expectedPurchases), num(r.predictedClv), num(r.valueAtRisk),
    r.expectedNextOrderAt === null ? null : new Date(r.expectedNextOrderAt).toISOString(),
    r.avgDaysBetweenOrders === null ? null : num(r.avgDaysBetweenOrders), num(r.recencyDays), String(r.frequency), num(r.monetary),
    String(r.rScore), String(r.fScore), String(r.mScore), r.segment, JSON.stringify(r.reasons), String(r.purchaseLines),
  ];
  return `${fields.map((f) => (f === null ? '\\N' : escapeCopy(f))).join('\t')}\n`;
}

function num(v: number): string {
  if (!Number.isFinite(v)) throw new RangeError(`score value ${v} is not a finite number`);
  return String(v);
}

function escapeCopy(s: string): string {
  return /[\\\t\n\r]/.test(s) ? s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r') : s;
}
