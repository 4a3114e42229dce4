// Win-back campaigns with randomized arms: the campaign (audience, arms, seed), each member's arm,
// attribution token and the items chosen for them at creation (a snapshot, so the export and the
// results agree on what was shown), and the contact log exports write.
import { bigint, index, jsonb, pgEnum, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { customers } from './customers.ts';

/** The at-risk list's filters, or an explicit list of customers. */
export type CampaignAudience =
  | {
      tiers?: ('high' | 'medium' | 'low')[];
      minProbability?: number;
      segment?: string;
      minClv?: number;
      minDaysSinceOrder?: number;
      maxDaysSinceOrder?: number;
      minOrders?: number;
      due?: boolean;
      excludeContactedWithinDays?: number;
    }
  | { customerIds: string[]; excludeContactedWithinDays?: number };

export type CampaignStrategy = 'personalized' | 'popular';

export interface CampaignArm {
  name: string;
  /** Share of each risk tier assigned to the arm; the arms' fractions sum to 1. */
  fraction: number;
  /** False for a holdout: never exported, never contacted. */
  contact: boolean;
  recommendations: { strategy: CampaignStrategy; limit: number } | null;
}

export const campaignStatus = pgEnum('campaign_status', ['open', 'closed']);

export const campaigns = pgTable('campaigns', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
  name: text('name').notNull(),
  audience: jsonb('audience').$type<CampaignAudience>().notNull(),
  arms: jsonb('arms').$type<CampaignArm[]>().notNull(),
  /** Assignment seed: the same seed and audience give the same arms. */
  seed: text('seed').notNull(),
  status: campaignStatus('status').notNull().default('open'),
  /** Results count purchases from here on. */
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  closedAt: timestamp('closed_at', { withTimezone: true }),
});

export const campaignMembers = pgTable(
  'campaign_members',
  {
    campaignId: bigint('campaign_id', { mode: 'number' })
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    arm: text('arm').notNull(),
    /** Risk tier at assignment (the stratum); null for customers without scores. */
    riskTier: text('risk_tier'),
    /** Sent back with clicks and orders from the campaign's message: identifies the member. */
    token: text('token').notNull().unique(),
    /** External ids of the items chosen for the member, in order (empty for arms without items). */
    items: text('items').array().notNull(),
    assignedAt: timestamp('assigned_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // (campaign, customer): the export's keyset order
  (t) => [primaryKey({ columns: [t.campaignId, t.customerId] }), index('campaign_members_customer_idx').on(t.customerId)],
);

export const contacts = pgTable(
  'contacts',
  {
    campaignId: bigint('campaign_id', { mode: 'number' })
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    customerId: bigint('customer_id', { mode: 'number' })
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    channel: text('channel').notNull(),
    contactedAt: timestamp('contacted_at', { withTimezone: true }).notNull().defaultNow(),
  },
  // one contact per (campaign, customer, channel): exporting again records nothing new
  (t) => [primaryKey({ columns: [t.campaignId, t.customerId, t.channel] }), index('contacts_customer_time_idx').on(t.customerId, t.contactedAt)],
);

export type Campaign = typeof campaigns.$inferSelect;
export type CampaignMember = typeof campaignMembers.$inferSelect;
