// Win-back campaigns: creation (audience, stratified random arms, a snapshot of the items each
// member is shown), reads for the API and the dashboard, closing, the streamed export that
// records contacts, and the results against the control arm.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { campaignById, campaignList, closeCampaignRow, createCampaignRows, type AudienceRow, type CampaignSummary, type NewMember } from '../db/queries/campaigns.ts';
import { exportPage } from '../db/queries/campaigns-export.ts';
import { armTotals } from '../db/queries/campaigns-results.ts';
import type { CampaignArm, CampaignAudience } from '../db/schema/index.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { compareToControl, type ArmOutcome, type VersusControl } from '../ml/metrics/uplift.ts';
import { assignArms } from './campaigns-assignment.ts';
import type { CatalogSnapshot } from './catalog-snapshot.ts';
import type { RecommendationService } from './recommendations.ts';

export type { CampaignArm, CampaignAudience, CampaignSummary };

export interface CampaignInput {
  name: string;
  audience: CampaignAudience;
  /** Fractions sum to 1 (checked by the API schema); at most one arm with contact = false, the control. */
  arms: CampaignArm[];
  /** Default: random. */
  seed?: string | undefined;
}

export interface ExportEntry {
  customerId: string;
  email: string | null;
  arm: string;
  token: string;
  items: { itemId: string; title: string | null }[];
}

export interface CampaignExport {
  campaign: CampaignSummary;
  /** The largest number of items any exported arm shows: the export's item_1..item_N. */
  itemColumns: number;
  entries: AsyncGenerator<ExportEntry>;
}

export interface ArmResult {
  name: string;
  members: number;
  purchasers: number;
  conversionRate: number;
  orders: number;
  revenue: number;
  revenuePerMember: number;
  attributedOrders: number;
  /** Null for the control arm, and for every arm when the campaign has no control. */
  vsControl: VersusControl | null;
}

export interface CampaignResults {
  campaign: CampaignSummary;
  window: { from: Date; to: Date; days: number };
  arms: ArmResult[];
}

/** Members per page of the export: the memory it holds at once. */
const EXPORT_PAGE = 1000;
const CHANNEL = 'email';

export class CampaignService {
  constructor(
    private readonly db: Db,
    private readonly recommendations: RecommendationService,
    private readonly catalog: CatalogSnapshot,
  ) {}

  async createCampaign(input: CampaignInput): Promise<CampaignSummary> {
    const seed = input.seed ?? randomBytes(8).toString('hex');
    const { campaign } = await createCampaignRows(this.db, { name: input.name, audience: input.audience, arms: input.arms, seed }, (audience) => this.members(audience, input.arms, seed));
    return (await campaignById(this.db, campaign.id))!;
  }

  listCampaigns(limit = 100): Promise<CampaignSummary[]> {
    return campaignList(this.db, limit);
  }

  async getCampaign(id: number): Promise<CampaignSummary> {
    const c = await campaignById(this.db, id);
    if (!c) throw new NotFoundError(`campaign ${id} not found`);
    return c;
  }

  async closeCampaign(id: number): Promise<CampaignSummary> {
    if (!(await closeCampaignRow(this.db, id))) throw new NotFoundError(`campaign ${id} not found`);
    return this.getCampaign(id);
  }

  /**
   * The contactable members (arms with contact = true; never unsubscribed or erased customers),
   * page by page; each page is recorded in the contact log as it is read. Refused for a closed
   * campaign. Exporting again yields the same members and records nothing new.
   */
  async exportAudience(id: number): Promise<CampaignExport> {
    const campaign = await this.getCampaign(id);
    if (campaign.status === 'closed') throw new ConflictError(`campaign ${id} is closed: its audience can no longer be exported`);
    const arms = campaign.arms.filter((a) => a.contact);
    const itemColumns = Math.max(0, ...arms.map((a) => a.recommendations?.limit ?? 0));
    return { campaign, itemColumns, entries: this.exportEntries(id, arms.map((a) => a.name)) };
  }

  /** Purchases by members in the `windowDays` after the campaign started, per arm, against the control. */
  async campaignResults(id: number, windowDays: number): Promise<CampaignResults> {
    const campaign = await this.getCampaign(id);
    const from = campaign.startedAt;
    const to = new Date(from.getTime() + windowDays * 86_400_000);
    const totals = new Map((await armTotals(this.db, id, from, to)).map((t) => [t.arm, t]));
    const outcome = (name: string): ArmOutcome => {
      const t = totals.get(name);
      return t ? { members: t.members, purchasers: t.purchasers, revenue: { n: t.members, mean: t.revenueMean, variance: t.revenueVariance } } : { members: 0, purchasers: 0, revenue: { n: 0, mean: 0, variance: 0 } };
    };
    const control = campaign.arms.find((a) => !a.contact);
    const arms = campaign.arms.map((a): ArmResult => {
      const t = totals.get(a.name);
      const o = outcome(a.name);
      return {
        name: a.name,
        members: o.members,
        purchasers: o.purchasers,
        conversionRate: o.members === 0 ? 0 : o.purchasers / o.members,
        orders: t?.orders ?? 0,
        revenue: t?.revenue ?? 0,
        revenuePerMember: o.revenue.mean,
        attributedOrders: t?.attributedOrders ?? 0,
        vsControl: control && a !== control ? compareToControl(o, outcome(control.name)) : null,
      };
    });
    return { campaign, window: { from, to, days: windowDays }, arms };
  }

  private async *exportEntries(id: number, arms: string[]): AsyncGenerator<ExportEntry> {
    let after: number | undefined = 0;
    while (after !== undefined) {
      const page = await exportPage(this.db, id, arms, CHANNEL, after, EXPORT_PAGE);
      for (const r of page.rows) {
        yield { customerId: r.externalId, email: r.email, arm: r.arm, token: r.token, items: r.items.map((itemId) => ({ itemId, title: this.catalog.get(itemId)?.title ?? null })) };
      }
      after = page.next;
    }
  }

  /** Arms by stratified hash, and each member's items from the arm's strategy. */
  private members(audience: AudienceRow[], arms: CampaignArm[], seed: string): NewMember[] {
    const assigned = assignArms(
      audience.map((a) => ({ customerId: a.externalId, stratum: a.riskTier ?? 'unscored' })),
      arms.map((a) => a.fraction),
      seed,
    );
    const popular = new Map<number, string[]>();
    const popularItems = (limit: number) => {
      let ids = popular.get(limit);
      if (!ids) popular.set(limit, (ids = this.recommendations.popular({ limit }).items.map((i) => i.itemId)));
      return ids;
    };
    return audience.map((a, k) => {
      const arm = arms[assigned[k]!]!;
      const rec = arm.contact ? arm.recommendations : null;
      let items: string[] = [];
      if (rec?.strategy === 'personalized') items = this.recommendations.forCustomer(a.externalId, { limit: rec.limit }).items.map((i) => i.itemId);
      else if (rec?.strategy === 'popular') items = popularItems(rec.limit);
      return { customerId: a.customerId, arm: arm.name, riskTier: a.riskTier, token: randomBytes(12).toString('hex'), items };
    });
  }
}
