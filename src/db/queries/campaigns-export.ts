// The export's reads and writes: one page of contactable members at a time (keyset on customer
// id, so memory stays at one page whatever the campaign's size), recorded in the contact log in
// the same transaction. The unique (campaign, customer, channel) key makes exporting again a no-op.
import { and, asc, eq, gt, inArray, isNull, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { campaignMembers, contacts, customers } from '../schema/index.ts';

export interface ExportRow {
  customerId: number;
  externalId: string;
  email: string | null;
  arm: string;
  token: string;
  items: string[];
}

/**
 * Members of `arms` after customer id `after`, still contactable, locked FOR SHARE while their
 * contacts are written: an erasure waits for the page to commit and then deletes the contacts
 * too, or (when it came first) its customer is no longer on the page.
 */
export async function exportPage(db: Db, campaignId: number, arms: string[], channel: string, after: number, limit: number): Promise<ExportRow[]> {
  if (arms.length === 0) return [];
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({
        customerId: campaignMembers.customerId,
        externalId: customers.externalId,
        email: customers.email,
        arm: campaignMembers.arm,
        token: campaignMembers.token,
        items: campaignMembers.items,
      })
      .from(campaignMembers)
      .innerJoin(customers, eq(customers.id, campaignMembers.customerId))
      .where(
        and(
          eq(campaignMembers.campaignId, campaignId),
          gt(campaignMembers.customerId, after),
          inArray(campaignMembers.arm, arms),
          isNull(customers.erasedAt),
          eq(customers.unsubscribed, false),
        ),
      )
      .orderBy(asc(campaignMembers.customerId))
      .limit(limit)
      .for('share', { of: customers });
    if (rows.length > 0) {
      await tx
        .insert(contacts)
        .values(rows.map((r) => ({ campaignId, customerId: r.customerId, channel, contactedAt: sql`now()` })))
        .onConflictDoNothing();
    }
    return rows;
  });
}
