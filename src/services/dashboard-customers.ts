// One customer as the dashboard shows them: scores and reasons, orders over time, P(alive) over
// their life (BG/NBD of the whole shop with the scoring model's penalizer), recommendations with
// the purchase that drives each one where the model's weights say so, and items similar to the
// last thing they bought.
import type { Db } from '../db/client.ts';
import { customerItems, customerOrders, type BoughtItem, type CustomerOrder } from '../db/queries/customer-history.ts';
import { strongestContribution } from '../ml/cf/explain.ts';
import { DAY_MS } from '../ml/customers/purchase-log.ts';
import { aliveHistory, type AliveHistory } from '../ml/lifetime/alive-history.ts';
import type { CustomerProfile, CustomerService } from './customers.ts';
import type { DashboardInsights } from './dashboard-insights.ts';
import type { ModelRegistry } from './model-registry.ts';
import type { RecommendationService, RecommendedItem } from './recommendations.ts';

/** Distinct items read per customer to find the driver of a recommendation. */
const HISTORY_ITEMS = 1000;

export interface ExplainedItem extends RecommendedItem {
  /** The customer's purchase with the largest term in this item's score (EASE, item-kNN only). */
  because: { itemId: string; title: string | null } | null;
}

export interface CustomerView {
  profile: CustomerProfile;
  orders: CustomerOrder[];
  /** Most recent first. */
  items: BoughtItem[];
  alive: AliveHistory | null;
  recommendations: { source: 'personalized' | 'fallback'; modelVersion: string; algorithm: string; items: ExplainedItem[] } | null;
  similar: { basedOn: BoughtItem; items: RecommendedItem[] } | null;
}

export class DashboardCustomers {
  constructor(
    private readonly db: Db,
    private readonly customers: CustomerService,
    private readonly recommendations: RecommendationService,
    private readonly models: ModelRegistry,
    private readonly insights: DashboardInsights,
  ) {}

  async view(customerId: string, limit = 8): Promise<CustomerView> {
    const profile = await this.customers.profile(customerId);
    const [orders, items] = [await customerOrders(this.db, customerId), await customerItems(this.db, customerId, HISTORY_ITEMS)];
    return {
      profile,
      orders,
      items,
      alive: await this.alive(profile, orders),
      recommendations: this.recommend(customerId, items, limit),
      similar: this.similar(items, limit),
    };
  }

  private async alive(profile: CustomerProfile, orders: CustomerOrder[]): Promise<AliveHistory | null> {
    if (orders.length === 0) return null;
    const scoredBy = profile.scores?.modelVersion;
    const churn = scoredBy ? (await this.models.list()).find((m) => m.kind === 'churn' && m.version === scoredBy) : undefined;
    const penalizer = typeof churn?.params.bgNbdPenalizer === 'number' ? churn.params.bgNbdPenalizer : 0;
    const fit = await this.insights.bgNbd(penalizer);
    if (!fit) return null;
    const days = orders.map((o) => Math.floor(o.at.getTime() / DAY_MS));
    return days[0]! < fit.endDay ? aliveHistory(fit.params, days, fit.endDay) : null;
  }

  private recommend(customerId: string, items: BoughtItem[], limit: number): CustomerView['recommendations'] {
    const model = this.models.current?.recommender;
    if (!model) return null;
    const r = this.recommendations.forCustomer(customerId, { limit });
    const bought = items.map((i) => model.itemIndex(i.itemId)).filter((i): i is number => i !== undefined);
    const titles = new Map(items.map((i) => [i.itemId, i.title]));
    const explained = r.items.map((item): ExplainedItem => {
      const target = model.itemIndex(item.itemId);
      const c = target === undefined || r.source === 'fallback' ? undefined : strongestContribution(model.state.scorer, model.itemIds.length, bought, target);
      const id = c ? model.itemIds[c.item]! : undefined;
      return { ...item, because: id ? { itemId: id, title: titles.get(id) ?? null } : null };
    });
    return { source: r.source, modelVersion: r.modelVersion, algorithm: model.algorithm, items: explained };
  }

  private similar(items: BoughtItem[], limit: number): CustomerView['similar'] {
    const model = this.models.current?.recommender;
    const basedOn = model ? items.find((i) => model.itemIndex(i.itemId) !== undefined) : undefined;
    if (!basedOn) return null;
    return { basedOn, items: this.recommendations.similar(basedOn.itemId, { limit }).items };
  }
}
