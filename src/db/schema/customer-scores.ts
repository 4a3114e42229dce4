// The latest churn / lifetime-value scores per customer, written by the scoring job and read by the
// win-back lists. Indexes serve keyset paging ordered by value at risk.
import { sql } from 'drizzle-orm';
import { bigint, doublePrecision, index, integer, jsonb, pgEnum, pgTable, real, smallint, text, timestamp } from 'drizzle-orm/pg-core';
import { customers } from './customers.ts';
import { scoringRuns } from './scoring-runs.ts';

/** One driver of a customer's churn score, as stored and served: largest effect first. */
export interface ScoreReason {
  /** Feature group, e.g. recency, frequency, cadence, purchase_model. */
  reason: string;
  /** The group's push on the churn logit (occlusion: logit minus logit with the group at its training mean). */
  effect: number;
  /** For people: what in the customer's history it refers to. */
  detail: string;
}

export const riskTier = pgEnum('risk_tier', ['high', 'medium', 'low']);

export const customerScores = pgTable(
  'customer_scores',
  {
    customerId: bigint('customer_id', { mode: 'number' })
      .primaryKey()
      .references(() => customers.id, { onDelete: 'cascade' }),
    /** P(no purchase within the horizon), in [0, 1]. */
    churnProbability: real('churn_probability').notNull(),
    riskTier: riskTier('risk_tier').notNull(),
    /** BG/NBD P(alive) at scoring time. */
    pAlive: real('p_alive').notNull(),
    /** Expected number of orders in the next horizon. */
    expectedPurchases: real('expected_purchases').notNull(),
    /** Predicted customer lifetime value over the CLV horizon, shop currency. */
    predictedClv: doublePrecision('predicted_clv').notNull(),
    /** churn_probability × predicted_clv: what is lost if the customer goes. */
    valueAtRisk: doublePrecision('value_at_risk').notNull(),
    expectedNextOrderAt: timestamp('expected_next_order_at', { withTimezone: true }),
    avgDaysBetweenOrders: real('avg_days_between_orders'),
    /** Days since the last order at scoring time. */
    recencyDays: real('recency_days').notNull(),
    /** Number of orders. */
    frequency: integer('frequency').notNull(),
    /** Mean order value, shop currency. */
    monetary: doublePrecision('monetary').notNull(),
    /** RFM quintile scores, 1 (worst) to 5 (best). */
    rScore: smallint('r_score').notNull(),
    fScore: smallint('f_score').notNull(),
    mScore: smallint('m_score').notNull(),
    segment: text('segment').notNull(),
    /** Top drivers of the churn score, largest effect first. */
    reasons: jsonb('reasons').$type<ScoreReason[]>().notNull().default(sql`'[]'::jsonb`),
    modelVersion: text('model_version').notNull(),
    /** The moment the row describes: recency and every probability are measured to it. */
    asOf: timestamp('as_of', { withTimezone: true }).notNull().defaultNow(),
    scoredAt: timestamp('scored_at', { withTimezone: true }).notNull().defaultNow(),
    /** The full scoring run whose population parameters the row was computed with. */
    runId: bigint('run_id', { mode: 'number' }).references(() => scoringRuns.id),
    /**
     * The row's version: how many purchase lines (purchases and cancellations) of the customer it
     * was computed from. A full run never overwrites a row computed from more lines than it saw.
     */
    purchaseLines: integer('purchase_lines').notNull().default(0),
  },
  (t) => [
    index('customer_scores_tier_var_idx').on(t.riskTier, t.valueAtRisk.desc(), t.customerId),
    index('customer_scores_var_idx').on(t.valueAtRisk.desc(), t.customerId),
    index('customer_scores_segment_idx').on(t.segment),
  ],
);

export type CustomerScore = typeof customerScores.$inferSelect;
export type NewCustomerScore = typeof customerScores.$inferInsert;
