// Writing the scoring job's output: every score row replaced in one transaction, so readers see
// either the previous run's scores or the new ones, never a mix. Rows arrive in chunks (1M
// customers need not sit in memory as objects), go through COPY into a temporary table keyed by
// the shop's customer id, and replace customer_scores with one DELETE + INSERT … SELECT.
import type { Database } from '../client.ts';
import type { ScoreReason } from '../schema/index.ts';

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
}

export interface ReplaceResult {
  /** Rows now in customer_scores. */
  written: number;
  /** Rows whose external id matched no (non-erased) customer. */
  unknownCustomers: number;
}

const COLUMNS = [
  'external_id', 'churn_probability', 'risk_tier', 'p_alive', 'expected_purchases', 'predicted_clv', 'value_at_risk',
  'expected_next_order_at', 'avg_days_between_orders', 'recency_days', 'frequency', 'monetary', 'r_score', 'f_score',
  'm_score', 'segment', 'reasons',
] as const;

/** Replaces all of customer_scores with `chunks`; on any error (also one thrown by the iterator) nothing changes. */
export async function replaceCustomerScores(
  database: Database,
  chunks: Iterable<ScoreRow[]> | AsyncIterable<ScoreRow[]>,
  modelVersion: string,
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
        segment text NOT NULL, reasons jsonb NOT NULL
      ) ON COMMIT DROP`);
      let incoming = 0;
      for await (const chunk of chunks) {
        if (chunk.length === 0) continue;
        await session.copyIn('incoming_scores', COLUMNS, chunk.map(copyLine).join(''));
        incoming += chunk.length;
        onRows?.(incoming);
      }
      await session.exec('DELETE FROM customer_scores');
      const inserted = await session.query<{ n: number | string }>(
        `WITH ins AS (
           INSERT INTO customer_scores (customer_id, ${COLUMNS.slice(1).join(', ')}, model_version, scored_at)
           SELECT c.id, ${COLUMNS.slice(1).map((c) => `s.${c}`).join(', ')}, $1, now()
           FROM incoming_scores s JOIN customers c ON c.external_id = s.external_id AND c.erased_at IS NULL
           RETURNING 1)
         SELECT count(*) AS n FROM ins`,
        [modelVersion],
      );
      await session.exec('COMMIT');
      // fresh planner statistics, or the at-risk page is planned on the old table's (a sort of every tier instead of an index read)
      await session.exec('ANALYZE customer_scores');
      const written = Number(inserted[0]?.n ?? 0);
      return { written, unknownCustomers: incoming - written };
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
    String(r.rScore), String(r.fScore), String(r.mScore), r.segment, JSON.stringify(r.reasons),
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
