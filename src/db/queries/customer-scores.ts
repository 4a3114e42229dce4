// Reads of the scoring job's output: the win-back list (keyset paging by value at risk) and the
// per-segment summary. Unsubscribed and erased customers are filtered here, in one place.
import { and, asc, desc, eq, gte, isNull, lt, lte, notExists, or, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { contacts, customers, customerScores, type CustomerScore } from '../schema/index.ts';

export interface AtRiskFilter {
  tier?: 'high' | 'medium' | 'low';
  minProbability?: number;
  segment?: string;
  minClv?: number;
  /** Days since the last order (at the row's as_of), at least / at most. */
  minDaysSinceOrder?: number;
  maxDaysSinceOrder?: number;
  minOrders?: number;
  /** Only customers past the date their own cadence predicts (see `winBackConditions`). */
  due?: boolean;
  /** Frequency cap: leave out customers any campaign contacted within this many days. */
  excludeContactedWithinDays?: number;
  /** Keyset cursor: the last row of the previous page. */
  after?: { valueAtRisk: number; customerId: number };
  limit: number;
}

export type AtRiskRow = CustomerScore & { externalId: string; email: string | null };

export function atRiskPage(db: Db, f: AtRiskFilter): Promise<AtRiskRow[]> {
  const where: SQL[] = [isNull(customers.erasedAt), eq(customers.unsubscribed, false)];
  if (f.tier) where.push(eq(customerScores.riskTier, f.tier));
  if (f.minProbability !== undefined) where.push(gte(customerScores.churnProbability, f.minProbability));
  if (f.segment) where.push(eq(customerScores.segment, f.segment));
  if (f.minClv !== undefined) where.push(gte(customerScores.predictedClv, f.minClv));
  where.push(...winBackConditions(f));
  if (f.excludeContactedWithinDays !== undefined) where.push(notContactedWithin(db, f.excludeContactedWithinDays));
  if (f.after) {
    // (value_at_risk desc, customer_id asc): rows strictly after the cursor
    const { valueAtRisk, customerId } = f.after;
    where.push(
      or(lt(customerScores.valueAtRisk, valueAtRisk), and(eq(customerScores.valueAtRisk, valueAtRisk), sql`${customerScores.customerId} > ${customerId}`))!,
    );
  }
  return db
    .select({
      ...scoreColumns,
      externalId: customers.externalId,
      email: customers.email,
    })
    .from(customerScores)
    .innerJoin(customers, eq(customers.id, customerScores.customerId))
    .where(and(...where))
    // NULLS LAST as in the (tier, value_at_risk DESC NULLS LAST, customer_id) indexes, so the page is read from one in order
    .orderBy(sql`${customerScores.valueAtRisk} desc nulls last`, asc(customerScores.customerId))
    .limit(f.limit)
    // a named statement: each connection parses and plans each filter combination once, not per page
    .prepare('at_risk_page')
    .execute();
}

/**
 * The win-back filters on a score row. `due`: a repeat customer whose days since the last order
 * exceed their mean days between orders, i.e. past last order + their usual gap. (The stored
 * expected_next_order_at is BG/NBD's median wait counted from as_of, so it is never past at as_of.)
 */
export function winBackConditions(f: Pick<AtRiskFilter, 'minDaysSinceOrder' | 'maxDaysSinceOrder' | 'minOrders' | 'due'>): SQL[] {
  const where: SQL[] = [];
  if (f.minDaysSinceOrder !== undefined) where.push(gte(customerScores.recencyDays, f.minDaysSinceOrder));
  if (f.maxDaysSinceOrder !== undefined) where.push(lte(customerScores.recencyDays, f.maxDaysSinceOrder));
  if (f.minOrders !== undefined) where.push(gte(customerScores.frequency, f.minOrders));
  if (f.due) where.push(sql`${customerScores.recencyDays} > ${customerScores.avgDaysBetweenOrders}`);
  return where;
}

/** No contact-log entry for the customer in the last `days` days. */
export function notContactedWithin(db: Db, days: number): SQL {
  return notExists(
    db
      .select({ one: sql`1` })
      .from(contacts)
      .where(and(eq(contacts.customerId, customers.id), gte(contacts.contactedAt, sql`now() - make_interval(days => ${days})`))),
  );
}

export interface SegmentSummary {
  segment: string;
  customers: number;
  predictedClv: number;
  valueAtRisk: number;
  meanChurnProbability: number;
}

export async function segmentSummaries(db: Db): Promise<SegmentSummary[]> {
  const rows = await db
    .select({
      segment: customerScores.segment,
      customers: sql<string>`count(*)`,
      predictedClv: sql<string>`coalesce(sum(${customerScores.predictedClv}), 0)`,
      valueAtRisk: sql<string>`coalesce(sum(${customerScores.valueAtRisk}), 0)`,
      meanChurnProbability: sql<string>`avg(${customerScores.churnProbability})`,
    })
    .from(customerScores)
    .innerJoin(customers, eq(customers.id, customerScores.customerId))
    .where(isNull(customers.erasedAt))
    .groupBy(customerScores.segment)
    .orderBy(desc(sql`sum(${customerScores.valueAtRisk})`));
  // aggregates come back as strings from postgres.js and numbers from PGlite
  return rows.map((r) => ({
    segment: r.segment,
    customers: Number(r.customers),
    predictedClv: Number(r.predictedClv),
    valueAtRisk: Number(r.valueAtRisk),
    meanChurnProbability: Number(r.meanChurnProbability),
  }));
}

const scoreColumns = {
  customerId: customerScores.customerId,
  churnProbability: customerScores.churnProbability,
  riskTier: customerScores.riskTier,
  pAlive: customerScores.pAlive,
  expectedPurchases: customerScores.expectedPurchases,
  predictedClv: customerScores.predictedClv,
  valueAtRisk: customerScores.valueAtRisk,
  expectedNextOrderAt: customerScores.expectedNextOrderAt,
  avgDaysBetweenOrders: customerScores.avgDaysBetweenOrders,
  recencyDays: customerScores.recencyDays,
  frequency: customerScores.frequency,
  monetary: customerScores.monetary,
  rScore: customerScores.rScore,
  fScore: customerScores.fScore,
  mScore: customerScores.mScore,
  segment: customerScores.segment,
  reasons: customerScores.reasons,
  modelVersion: customerScores.modelVersion,
  asOf: customerScores.asOf,
  scoredAt: customerScores.scoredAt,
  runId: customerScores.runId,
  purchaseLines: customerScores.purchaseLines,
};
