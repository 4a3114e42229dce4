// Live behaviour sent by the shop through the API (views, add-to-cart, purchases). event_id makes
// delivery idempotent: a retried request cannot count twice. Clicks and orders may carry a campaign
// token or a recommendation id: what attributes them to a campaign member or a served list.
import { sql } from 'drizzle-orm';
import { bigint, doublePrecision, index, integer, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { customers } from './customers.ts';
import { items } from './items.ts';

export const eventType = pgEnum('event_type', ['view', 'cart', 'purchase', 'click']);

export const events = pgTable(
  'events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
    /** Client-chosen id, unique: the idempotency key. */
    eventId: text('event_id').notNull().unique(),
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    itemId: bigint('item_id', { mode: 'number' })
      .notNull()
      .references(() => items.id),
    type: eventType('type').notNull(),
    quantity: integer('quantity').notNull().default(1),
    /** Unit price at the time of the event, when the shop sends it. */
    price: doublePrecision('price'),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    /** Purchases: the order the purchase row went into (the shop's order id, else `event:<event_id>`). */
    orderId: text('order_id'),
    /** A campaign member's token (campaign_members.token). */
    campaignToken: text('campaign_token'),
    /** A served list's id (served_recommendations.id). */
    recommendationId: uuid('recommendation_id'),
  },
  (t) => [
    index('events_customer_time_idx').on(t.customerId, t.occurredAt),
    index('events_time_idx').on(t.occurredAt),
    index('events_recommendation_idx').on(t.recommendationId).where(sql`${t.recommendationId} is not null`),
    index('events_campaign_token_idx').on(t.campaignToken).where(sql`${t.campaignToken} is not null`),
  ],
);

export type Event = typeof events.$inferSelect;
export type NewEvent = typeof events.$inferInsert;
