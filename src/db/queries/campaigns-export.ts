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

export interface ExportPage {
  rows: ExportRow[];
  /** The last member scanned (exported or not): the next page starts after it; undefined on the last page. */
  next: number | undefined;
}

/**
 * The next `limit` members of `arms` after customer id `after`, in two steps so the page is read
 * off the (campaign, customer) key alone whatever the planner thinks of the join: the members,
 * then their customers, still contactable and locked FOR SHARE while their contacts are written.
 * An erasure waits for the page to commit and then deletes the contacts too, or (when it came
 * first) its customer is left off the page.
 */
export async function exportPage(db: Db, campaignId: number, arms: string[], channel: string, after: number, limit: number): Promise<ExportPage> {
  if (arms.length === 0) return { rows: [], next: undefined };
  return db.transaction(async (tx) => {
    const members = await tx
      .select({ customerId: campaignMembers.customerId, arm: campaignMembers.arm, token: campaignMembers.token, items: campaignMembers.items })
      .from(campaignMembers)
      .where(and(eq(campaignMembers.campaignId, campaignId), gt(campaignMembers.customerId, after), inArray(campaignMembers.arm, arms)))
      .orderBy(asc(campaignMembers.customerId))
      .limit(limit);
    const next = members.length === limit ? members[members.length - 1]!.customerId : undefined;
    if (members.length === 0) return { rows: [], next };
    const people = await tx
      .select({ id: customers.id, externalId: customers.externalId, email: customers.email })
      .from(customers)
      .where(
        and(
          inArray(
            customers.id,
            members.map((m) => m.customerId),
          ),
          isNull(customers.erasedAt),
          eq(customers.unsubscribed, false),
        ),
      )
      .for('share');
    const byId = new Map(people.map((p) => [p.id, p]));
    const rows = members.flatMap((m) => {
      const p = byId.get(m.customerId);
      return p ? [{ ...m, externalId: p.externalId, email: p.email }] : [];
    });
    if (rows.length > 0) {
      await tx
        .insert(contacts)
        .values(rows.map((r) => ({ campaignId, customerId: r.customerId, channel, contactedAt: sql`now()` })))
        .onConflictDoNothing();
    }
    return { rows, next };
  });
}
