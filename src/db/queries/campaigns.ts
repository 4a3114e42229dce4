// Campaign rows: creation with its members (one transaction), reads, closing, and the audience
// query that picks who may be a member. Unsubscribed and erased customers are filtered here.
import { and, desc, eq, gte, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { notContactedWithin, winBackConditions } from './customer-scores.ts';
import { campaignMembers, campaigns, customers, customerScores, type Campaign, type CampaignArm, type CampaignAudience } from '../schema/index.ts';

export interface AudienceRow {
  customerId: number;
  externalId: string;
  /** Null when the customer has no scores yet. */
  riskTier: 'high' | 'medium' | 'low' | null;
}

/** Rows inserted per statement: 7 parameters each, well under the protocol's 65,535. */
const INSERT_CHUNK = 2000;

/**
 * Contactable customers matching `audience`, locked FOR SHARE until the transaction ends: an
 * erasure in progress is waited for and its customer left out; one that starts later waits for
 * the campaign to commit and then deletes the memberships (the same order as event batches).
 */
export async function audienceRows(db: Db, audience: CampaignAudience): Promise<AudienceRow[]> {
  const where: SQL[] = [isNull(customers.erasedAt), eq(customers.unsubscribed, false)];
  if (audience.excludeContactedWithinDays !== undefined) {
    where.push(notContactedWithin(db, audience.excludeContactedWithinDays));
  }
  const columns = { customerId: customers.id, externalId: customers.externalId, riskTier: customerScores.riskTier };
  if ('customerIds' in audience) {
    where.push(inArray(customers.externalId, audience.customerIds));
    return db
      .select(columns)
      .from(customers)
      .leftJoin(customerScores, eq(customerScores.customerId, customers.id))
      .where(and(...where))
      .orderBy(customers.id)
      .for('share', { of: customers });
  }
  if (audience.tiers) where.push(inArray(customerScores.riskTier, audience.tiers));
  if (audience.minProbability !== undefined) where.push(gte(customerScores.churnProbability, audience.minProbability));
  if (audience.segment !== undefined) where.push(eq(customerScores.segment, audience.segment));
  if (audience.minClv !== undefined) where.push(gte(customerScores.predictedClv, audience.minClv));
  where.push(...winBackConditions(audience));
  return db
    .select(columns)
    .from(customerScores)
    .innerJoin(customers, eq(customers.id, customerScores.customerId))
    .where(and(...where))
    .orderBy(customers.id)
    .for('share', { of: customers });
}

export interface NewMember {
  customerId: number;
  arm: string;
  riskTier: string | null;
  token: string;
  items: string[];
}

export interface CampaignSpec {
  name: string;
  audience: CampaignAudience;
  arms: CampaignArm[];
  seed: string;
}

/**
 * Creates the campaign and its members in one transaction: `choose` receives the audience (read
 * and locked inside the transaction) and returns the members to store.
 */
export async function createCampaignRows(db: Db, spec: CampaignSpec, choose: (audience: AudienceRow[]) => NewMember[]): Promise<{ campaign: Campaign; members: NewMember[] }> {
  const created = await db.transaction(async (tx) => {
    const audience = await audienceRows(tx as unknown as Db, spec.audience);
    const members = choose(audience);
    const [campaign] = await tx.insert(campaigns).values(spec).returning();
    for (let k = 0; k < members.length; k += INSERT_CHUNK) {
      await tx.insert(campaignMembers).values(members.slice(k, k + INSERT_CHUNK).map((m) => ({ ...m, campaignId: campaign!.id, assignedAt: campaign!.startedAt })));
    }
    return { campaign: campaign!, members };
  });
  // a campaign can add 100,000 rows at once: fresh statistics keep the export's page reads on the index
  await db.execute(sql`analyze ${campaignMembers}`);
  return created;
}

export interface CampaignSummary extends Campaign {
  /** Members per arm name. */
  armMembers: Record<string, number>;
}

export async function campaignById(db: Db, id: number): Promise<CampaignSummary | undefined> {
  const [campaign] = await db.select().from(campaigns).where(eq(campaigns.id, id));
  if (!campaign) return undefined;
  return { ...campaign, armMembers: (await armCounts(db, [id])).get(id) ?? {} };
}

/** Campaigns, newest first, with their member counts. */
export async function campaignList(db: Db, limit: number): Promise<CampaignSummary[]> {
  const rows = await db.select().from(campaigns).orderBy(desc(campaigns.id)).limit(limit);
  const counts = await armCounts(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => ({ ...r, armMembers: counts.get(r.id) ?? {} }));
}

/** Marks an open campaign closed; undefined when there is no such campaign. */
export async function closeCampaignRow(db: Db, id: number): Promise<Campaign | undefined> {
  const [row] = await db
    .update(campaigns)
    .set({ status: 'closed', closedAt: sql`coalesce(${campaigns.closedAt}, now())` })
    .where(eq(campaigns.id, id))
    .returning();
  return row;
}

async function armCounts(db: Db, ids: number[]): Promise<Map<number, Record<string, number>>> {
  const out = new Map<number, Record<string, number>>();
  if (ids.length === 0) return out;
  const rows = await db
    .select({ campaignId: campaignMembers.campaignId, arm: campaignMembers.arm, members: sql<string | number>`count(*)` })
    .from(campaignMembers)
    .where(inArray(campaignMembers.campaignId, ids))
    .groupBy(campaignMembers.campaignId, campaignMembers.arm);
  for (const r of rows) out.set(r.campaignId, { ...out.get(r.campaignId), [r.arm]: Number(r.members) });
  return out;
}
