// The catalog. Items also appear here when a purchase names an id the catalog has not described yet
// (title null); `recommendable` lets a shop keep fees, postage and the like out of recommendations.
import { sql } from 'drizzle-orm';
import { bigint, boolean, doublePrecision, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const items = pgTable(
  'items',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    /** The shop's item id (Online Retail: StockCode). */
    externalId: text('external_id').notNull().unique(),
    title: text('title'),
    category: text('category'),
    /** Current list price in the shop's currency. */
    price: doublePrecision('price'),
    active: boolean('active').notNull().default(true),
    inStock: boolean('in_stock').notNull().default(true),
    /** False for non-products (postage, fees, manual adjustments): never recommended. */
    recommendable: boolean('recommendable').notNull().default(true),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default(sql`'{}'::jsonb`),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('items_category_idx').on(t.category)],
);

/**
 * Online Retail stock codes that are not products (postage, manual entries, fees, charity, discounts,
 * samples, bad-debt adjustments): imported with recommendable = false.
 */
export const ONLINE_RETAIL_NON_PRODUCTS: readonly string[] = ['POST', 'M', 'C2', 'DOT', 'BANK CHARGES', 'PADS', 'B', 'AMAZONFEE', 'CRUK', 'D', 'S'];

export type Item = typeof items.$inferSelect;
export type NewItem = typeof items.$inferInsert;
