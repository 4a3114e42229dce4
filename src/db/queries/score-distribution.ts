// How the stored scores are spread: customers per risk tier, and the churn-probability quartiles
// of each RFM segment (for box plots). Erased customers are left out, as everywhere.
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../client.ts';

export async function riskTierCounts(db: Db): Promise<Record<'high' | 'medium' | 'low', number>> {
  const rows = await queryRows<{ tier: 'high' | 'medium' | 'low'; customers: string | number }>(
    db,
    sql`select s.risk_tier as tier, count(*) as customers
        from customer_scores s join customers c on c.id = s.customer_id where c.erased_at is null group by 1`,
  );
  const out = { high: 0, medium: 0, low: 0 };
  for (const r of rows) out[r.tier] = Number(r.customers);
  return out;
}

export interface SegmentSpread {
  segment: string;
  /** Min, lower quartile, median, upper quartile, max of the churn probability. */
  quartiles: [number, number, number, number, number];
}

export async function segmentChurnSpread(db: Db): Promise<SegmentSpread[]> {
  const rows = await queryRows<{ segment: string; q: (string | number)[] | string }>(
    db,
    sql`select s.segment, percentile_cont(array[0, 0.25, 0.5, 0.75, 1]) within group (order by s.churn_probability) as q
        from customer_scores s join customers c on c.id = s.customer_id where c.erased_at is null group by 1 order by 1`,
  );
  return rows.map((r) => {
    // postgres.js returns float8[] as an array; some drivers give the literal '{0.1,0.2,...}'
    const q = (typeof r.q === 'string' ? r.q.replace(/[{}]/g, '').split(',') : r.q).map(Number);
    return { segment: r.segment, quartiles: q as SegmentSpread['quartiles'] };
  });
}
