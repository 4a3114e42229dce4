// Recommendation lists as served, so clicks and orders that send a recommendation_id back can be
// traced to a model version, source and strategy. Written in batches by the service
// (src/services/attribution.ts), kept ATTRIBUTION_DAYS and pruned. The customer is the shop's id
// (no foreign key): unknown customers are served too.
import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const servedRecommendations = pgTable(
  'served_recommendations',
  {
    /** The response's recommendation_id. */
    id: uuid('id').primaryKey(),
    customerExternalId: text('customer_external_id').notNull(),
    modelVersion: text('model_version').notNull(),
    /** personalized or fallback. */
    source: text('source').notNull(),
    /** What asked for the list: `personalized` for a customer's top-N (single or batch). */
    strategy: text('strategy').notNull(),
    /** External item ids, in rank order. */
    items: text('items').array().notNull(),
    servedAt: timestamp('served_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('served_recommendations_time_idx').on(t.servedAt), index('served_recommendations_customer_idx').on(t.customerExternalId)],
);

export type ServedRecommendation = typeof servedRecommendations.$inferSelect;
