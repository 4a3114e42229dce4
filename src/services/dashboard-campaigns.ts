// A campaign as the dashboard shows it: the results of CampaignService with, per arm, how many
// members an export has contacted and the Wilson interval of its conversion rate (the intervals
// the charts draw; the differences against the control come with the results).
import { sql } from 'drizzle-orm';
import { queryRows, type Db } from '../db/client.ts';
import { wilsonInterval, type Interval } from '../ml/metrics/uplift.ts';
import type { ArmResult, CampaignResults, CampaignService } from './campaigns.ts';

export type { Interval };

export interface CampaignArmView extends ArmResult {
  /** Members of the arm in the contact log (0 for the control and before the first export). */
  contacted: number;
  /** 95% Wilson score interval of the arm's conversion rate. */
  conversionCi: Interval;
}

export interface CampaignView extends Omit<CampaignResults, 'arms'> {
  arms: CampaignArmView[];
}

export class DashboardCampaigns {
  constructor(
    private readonly db: Db,
    private readonly campaigns: CampaignService,
  ) {}

  async view(id: number, windowDays: number): Promise<CampaignView> {
    const results = await this.campaigns.campaignResults(id, windowDays);
    const contacted = await this.contactedPerArm(id);
    return {
      ...results,
      arms: results.arms.map((a) => ({ ...a, contacted: contacted.get(a.name) ?? 0, conversionCi: wilsonInterval(a.purchasers, a.members) })),
    };
  }

  private async contactedPerArm(id: number): Promise<Map<string, number>> {
    const rows = await queryRows<{ arm: string; contacted: string | number }>(
      this.db,
      sql`select m.arm, count(distinct c.customer_id) as contacted
          from contacts c join campaign_members m on m.campaign_id = c.campaign_id and m.customer_id = c.customer_id
          where c.campaign_id = ${id} group by m.arm`,
    );
    return new Map(rows.map((r) => [r.arm, Number(r.contacted)]));
  }
}
