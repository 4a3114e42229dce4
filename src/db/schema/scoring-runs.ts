// One row per full scoring run: the moment it describes, the clock that chose it, and the
// population-level parameters every row of the run was computed with (BG/NBD and Gamma-Gamma fits,
// RFM quintile boundaries), so that a customer re-scored on their own later (src/services/live-scores.ts)
// is placed against the same population as everyone else.
import { bigint, integer, jsonb, pgEnum, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** now: a live shop, scored as of the moment of scoring; data: a historical set, scored as of the end of its data. */
export const scoringClock = pgEnum('scoring_clock', ['now', 'data']);

/** What a row of the run needs besides the customer's own purchases. */
export interface ScoringPopulation {
  bgNbd: { r: number; alpha: number; a: number; b: number };
  gammaGamma: { p: number; q: number; v: number };
  /** RFM quintile boundaries: the smallest value reaching scores 2..5 (ascending raw values). */
  rfm: { recencyDays: number[]; orders: number[]; meanOrderValue: number[] };
}

export const scoringRuns = pgTable('scoring_runs', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  clock: scoringClock('clock').notNull(),
  asOf: timestamp('as_of', { withTimezone: true }).notNull(),
  modelVersion: text('model_version').notNull(),
  population: jsonb('population').$type<ScoringPopulation>().notNull(),
  customers: integer('customers').notNull(),
  scoredAt: timestamp('scored_at', { withTimezone: true }).notNull().defaultNow(),
});

export type ScoringRun = typeof scoringRuns.$inferSelect;
