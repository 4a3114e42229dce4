// The service's composition root: opens nothing itself, but builds every service over one
// Database and MODELS_DIR, loads the in-memory state the hot path reads (catalog, fresh purchases,
// erased customers, API keys, the recommender) and keeps it current.
//
// Replicas: several stateless processes may serve one PostgreSQL. Each polls every `pollMs` for
// rows changed since its last look (items by updated_at, customers by updated_at, purchases by
// row id, active API keys) and for a moved CURRENT model pointer. Polling was chosen over
// LISTEN/NOTIFY because it works the same on PGlite and PostgreSQL, survives dropped connections
// without resubscribing, and needs no triggers in the foundation's schema; the cost is up to
// `pollMs` of staleness on other replicas (the replica that took the write applies it at once).
import { sql } from 'drizzle-orm';
import { queryRows, type Database } from '../db/client.ts';
import { activeApiKeyRows } from '../db/queries/api-keys.ts';
import { customersChangedSince, erasedCustomerIds } from '../db/queries/customers.ts';
import { allCatalogRows, catalogRowsChangedSince } from '../db/queries/items.ts';
import { purchasesAfter } from '../db/queries/purchases.ts';
import type { Logger } from '../logger.ts';
import { ApiKeyRing, type Scope } from './api-key-ring.ts';
import { AttributionService } from './attribution.ts';
import { CampaignService } from './campaigns.ts';
import { CatalogSnapshot } from './catalog-snapshot.ts';
import { ChurnListService } from './churn-lists.ts';
import { CustomerService } from './customers.ts';
import { DashboardCampaigns } from './dashboard-campaigns.ts';
import { DashboardCustomers } from './dashboard-customers.ts';
import { DashboardInsights } from './dashboard-insights.ts';
import { DashboardLogouts } from './dashboard-sessions.ts';
import { EventService } from './events.ts';
import { FreshPurchases } from './fresh-purchases.ts';
import { InsightService } from './insights.ts';
import { ItemFlags } from './item-filter.ts';
import { ItemService } from './items.ts';
import { LiveScores } from './live-scores.ts';
import { ModelRegistry, type LoadedRecommender, type RecommenderLoader } from './model-registry.ts';
import { RecommendationService } from './recommendations.ts';

export interface RuntimeOptions {
  database: Database;
  modelsDir: string;
  logger: Logger;
  /** Replica sync interval; 0 disables the timer (tests call `sync()` themselves). */
  pollMs?: number;
  /**
   * A sync round that has not settled by then is given up and the next one starts afresh (default
   * 30 s). A query on a connection whose packets vanish has no client-side deadline in the driver:
   * without this a round could wait until TCP gives up, every later round would share it, and the
   * replica would stop following the database. A given-up round that finishes later applies nothing.
   */
  syncDeadlineMs?: number;
  loader?: RecommenderLoader;
  /** Days served recommendation lists are kept (ATTRIBUTION_DAYS, default 90); 0 records none. */
  attributionDays?: number;
  /** Served lists are written every this often; 0 leaves it to `flushServed()` (tests). Default 1000. */
  servedFlushMs?: number;
}

/** Customers whose fold-in lists are computed ahead when a model loads (~2–5 ms each). */
const PREFETCH_AT_LOAD = 20_000;

/** Rows whose transaction started before a poll but committed after it are caught by re-reading this much. */
const OVERLAP_MS = 5_000;

export class ServiceRuntime {
  readonly catalog = new CatalogSnapshot();
  readonly erased = new Set<string>();
  readonly keys: ApiKeyRing;
  readonly models: ModelRegistry;
  readonly recommendations: RecommendationService;
  readonly customers: CustomerService;
  readonly churn: ChurnListService;
  readonly insights: InsightService;
  readonly dashboardInsights: DashboardInsights;
  readonly dashboardCustomers: DashboardCustomers;
  readonly dashboardCampaigns: DashboardCampaigns;
  readonly dashboardLogouts: DashboardLogouts;
  readonly events: EventService;
  readonly items: ItemService;
  readonly attribution: AttributionService;
  readonly campaigns: CampaignService;
  readonly liveScores: LiveScores;
  private state: { model: LoadedRecommender; flags: ItemFlags; fresh: FreshPurchases } | undefined;
  /** The database clock at the previous poll: the next one reads rows changed after it (minus the overlap). */
  private lastPoll = new Date(0);
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> | undefined;
  private round = 0;
  /** Wall-clock start of the current run of failed polls (for the log line when they end). */
  private pollFailingSince: number | undefined;

  constructor(private readonly options: RuntimeOptions) {
    const { database, modelsDir, logger } = options;
    const db = database.db;
    this.keys = new ApiKeyRing(async () => (await activeApiKeyRows(db)).map((k) => ({ ...k, scopes: k.scopes as Scope[] })));
    this.models = new ModelRegistry(modelsDir, logger, options.loader);
    this.recommendations = new RecommendationService(() => this.state, this.catalog, this.erased);
    this.customers = new CustomerService(db, (id) => this.markErased(id));
    this.churn = new ChurnListService(db, this.recommendations);
    this.insights = new InsightService(db);
    this.dashboardInsights = new DashboardInsights(db, () => this.erased.size);
    this.dashboardCustomers = new DashboardCustomers(db, this.customers, this.recommendations, this.models, this.dashboardInsights);
    this.attribution = new AttributionService(db, logger, this.erased, { retentionDays: options.attributionDays ?? 90, flushMs: options.servedFlushMs ?? 1_000 });
    this.campaigns = new CampaignService(db, this.recommendations, this.catalog);
    this.liveScores = new LiveScores({ modelsDir, onModelMissing: (version, err) => logger.warn({ err, version }, 'live scoring off: the churn model of the latest scoring run does not load') });
    this.dashboardCampaigns = new DashboardCampaigns(db, this.campaigns);
    this.dashboardLogouts = new DashboardLogouts(db);
    this.events = new EventService(
      db,
      (customer, item, at) => {
        if (this.state && at >= this.state.fresh.since && this.state.fresh.add(customer, item)) this.recommendations.prefetch([customer]);
      },
      (e) => this.attribution.eventAccepted(e),
      this.liveScores,
    );
    this.items = new ItemService(db, this.catalog, this.recommendations);
    this.catalog.onChange((ids) => this.state?.flags.patch(ids));
    this.models.onSwap(async (model) => {
      const fresh = new FreshPurchases(model.trainedUntil);
      await this.loadFresh(fresh);
      this.state = { model, flags: new ItemFlags(model.recommender, this.catalog), fresh };
      // the customers who appeared last get theirs ahead; any others on their first request
      this.recommendations.prefetch([...fresh.customerIds()].slice(-PREFETCH_AT_LOAD));
    });
  }

  get modelLoaded(): boolean {
    return this.state !== undefined;
  }

  get freshCustomers(): number {
    return this.state?.fresh.customers ?? 0;
  }

  /** Loads everything; a missing model is not an error (readyz says so until one is trained). */
  async start(): Promise<void> {
    const db = this.options.database.db;
    this.lastPoll = await databaseNow(db);
    this.catalog.apply(await allCatalogRows(db));
    for (const id of await erasedCustomerIds(db)) this.erased.add(id);
    await this.keys.refresh();
    await this.models.refresh();
    await this.liveScores.refresh(db);
    this.attribution.start();
    const pollMs = this.options.pollMs ?? 2_000;
    if (pollMs > 0) {
      this.timer = setInterval(() => void this.poll(), pollMs);
      this.timer.unref();
    }
  }

  /**
   * The timer's round. A failed round changes nothing (the next one reads from the last good
   * poll), so an outage of the database only delays the replica; it is logged when it starts and
   * when it ends, not every round.
   */
  private async poll(): Promise<void> {
    const { logger } = this.options;
    try {
      await this.sync();
      if (this.pollFailingSince !== undefined) logger.info({ failedForMs: Date.now() - this.pollFailingSince }, 'replica sync recovered');
      this.pollFailingSince = undefined;
    } catch (err) {
      if (this.pollFailingSince === undefined) logger.warn({ err }, 'replica sync failed; retrying every poll until it succeeds');
      this.pollFailingSince ??= Date.now();
    }
  }

  /** One round of the replica poll; concurrent callers share the round in progress. */
  sync(): Promise<void> {
    if (!this.syncing) {
      const round = ++this.round;
      const deadline = this.options.syncDeadlineMs ?? 30_000;
      let timer: NodeJS.Timeout | undefined;
      const givenUp = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`replica sync round took longer than ${deadline} ms; given up`)), deadline);
        timer.unref();
      });
      this.syncing = Promise.race([this.doSync(() => round !== this.round), givenUp]).finally(() => {
        clearTimeout(timer);
        if (round === this.round) this.round++;
        this.syncing = undefined;
      });
    }
    return this.syncing;
  }

  /** `superseded`: true once this round was given up (its reads are then older than the next round's). */
  private async doSync(superseded: () => boolean): Promise<void> {
    const db = this.options.database.db;
    // Timestamps come from the database clock (now() at transaction start), so the window is
    // anchored on that clock too; the overlap catches transactions that commit after a poll.
    const now = await databaseNow(db);
    const since = new Date(this.lastPoll.getTime() - OVERLAP_MS);
    const [catalogRows, changedCustomers] = [await catalogRowsChangedSince(db, since), await customersChangedSince(db, since)];
    if (superseded()) return;
    this.catalog.apply(catalogRows);
    for (const c of changedCustomers) {
      if (c.erased && !this.erased.has(c.externalId)) this.markErased(c.externalId);
    }
    this.lastPoll = now;
    if (this.state) await this.loadFresh(this.state.fresh);
    await this.keys.refresh();
    await this.models.refresh();
    await this.liveScores.refresh(db);
  }

  async dbReachable(): Promise<boolean> {
    try {
      await this.options.database.db.execute(sql`select 1`);
      return true;
    } catch {
      return false;
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.attribution.stop();
  }

  /** Writes the served lists still buffered (at shutdown, before the database closes). */
  flushServed(): Promise<void> {
    return this.attribution.flush();
  }

  private markErased(customerId: string): void {
    this.erased.add(customerId);
    this.state?.fresh.forget(customerId);
  }

  private async loadFresh(fresh: FreshPurchases): Promise<void> {
    for (;;) {
      const rows = await purchasesAfter(this.options.database.db, fresh.lastId, fresh.since);
      const changed = fresh.apply(rows, this.erased);
      if (fresh === this.state?.fresh) this.recommendations.prefetch(changed);
      if (rows.length < 50_000) return;
    }
  }
}

async function databaseNow(db: Database['db']): Promise<Date> {
  const [row] = await queryRows<{ now: string | Date }>(db, sql`select now() as now`);
  return new Date(row!.now);
}
