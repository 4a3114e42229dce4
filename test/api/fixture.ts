// A small shop for service and API tests: hand-made items and purchases in the test database,
// and an ALS recommender trained on exactly those purchases, saved as a real artifact.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp, type App, type AppOptions } from '../../src/api/app.ts';
import { saveRecommender } from '../../src/artifacts/codecs/recommender.ts';
import type { Database, Engine } from '../../src/db/client.ts';
import { upsertItems } from '../../src/db/queries/items.ts';
import { customers, customerScores, purchases } from '../../src/db/schema/index.ts';
import { fitAls, preferenceStrength } from '../../src/ml/cf/als.ts';
import type { RecommenderState, TopLists } from '../../src/ml/cf/recommender.ts';
import { pairStats } from '../../src/ml/cf/sparse.ts';
import { PurchaseLogBuilder, DAY_MS } from '../../src/ml/customers/purchase-log.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { ServiceRuntime } from '../../src/services/runtime.ts';
import { openTestDatabase } from '../helpers/db.ts';

/** Training data ends here; purchases from then on are "fresh". */
export const CUTOFF = Date.UTC(2011, 8, 9);

export const ITEMS = [
  { externalId: 'mug-red', category: 'mugs', title: 'Red mug', price: 4 },
  { externalId: 'mug-blue', category: 'mugs', title: 'Blue mug', price: 4 },
  { externalId: 'mug-green', category: 'mugs', title: 'Green mug', price: 4 },
  { externalId: 'mug-big', category: 'mugs', title: 'Big mug', price: 6 },
  { externalId: 'bag-tote', category: 'bags', title: 'Tote bag', price: 9 },
  { externalId: 'bag-jute', category: 'bags', title: 'Jute bag', price: 8 },
  { externalId: 'bag-lunch', category: 'bags', title: 'Lunch bag', price: 7 },
  { externalId: 'bag-gift', category: 'bags', title: 'Gift bag', price: 2 },
  { externalId: 'lamp', category: 'home', title: 'Lamp', price: 20 },
  { externalId: 'POST', category: null, title: 'Postage', price: 18, recommendable: false },
];

/** customer -> items bought before the cutoff (one order line each). */
export const HISTORY: Record<string, string[]> = {
  c1: ['mug-red', 'mug-blue', 'POST'],
  c2: ['mug-red', 'mug-green', 'mug-big', 'POST'],
  c3: ['mug-blue', 'mug-green', 'mug-big'],
  c4: ['bag-tote', 'bag-jute', 'POST'],
  c5: ['bag-tote', 'bag-lunch', 'bag-gift'],
  c6: ['bag-jute', 'bag-lunch', 'lamp'],
  c7: ['mug-red', 'bag-tote', 'lamp', 'POST'],
  c8: ['mug-big', 'mug-blue', 'bag-gift', 'POST'],
};

export interface Shop {
  database: Database;
  modelsDir: string;
  runtime: ServiceRuntime;
  close(): Promise<void>;
}

export function trainState(history: Record<string, string[]>, factors = 4): RecommenderState {
  const b = new PurchaseLogBuilder();
  let order = 0;
  for (const [c, items] of Object.entries(history)) {
    items.forEach((item, k) => b.add(c, item, `o${order++}`, 1, 1, CUTOFF - (k + 1) * DAY_MS));
  }
  const log = b.build();
  const stats = pairStats(log);
  const als = fitAls({ ...stats.matrix, values: preferenceStrength(stats, 'log') }, { factors, iterations: 10, regularization: 0.1, seed: 7 });
  const popularity = new Float32Array(log.itemIds.length);
  for (let k = 0; k < stats.matrix.colIdx.length; k++) popularity[stats.matrix.colIdx[k]!]! += 1;
  const byId = new Map(ITEMS.map((i) => [i.externalId, i]));
  const none: TopLists = { perRow: 0, items: new Int32Array(0), scores: new Float32Array(0) };
  return {
    scorer: { algorithm: 'als', factors, userFactors: als.userFactors, itemFactors: als.itemFactors, foldIn: als.foldIn },
    customerIds: log.customerIds,
    itemIds: log.itemIds,
    itemCategories: log.itemIds.map((id) => byId.get(id)?.category ?? ''),
    history: stats.matrix,
    popularity,
    candidates: none,
    similarItems: none,
  };
}

export async function saveModel(modelsDir: string, state: RecommenderState): Promise<string> {
  const m = await saveRecommender(modelsDir, state, {
    params: { algorithm: 'als' },
    dataWindow: { from: null, to: new Date(CUTOFF).toISOString() },
    metrics: {},
  });
  return m.version;
}

/** Loads the shop into `database`, trains and saves a model, starts a runtime (no poll timer). */
export async function openShop(database: Database, options: { pollMs?: number; logger?: Logger } = {}): Promise<Shop> {
  await initTf();
  const db = database.db;
  await upsertItems(db, ITEMS.map((i) => ({ ...i })));
  const ids = new Map<string, number>();
  for (const c of Object.keys(HISTORY)) {
    const [row] = await db.insert(customers).values({ externalId: c, email: `${c}@example.com` }).returning({ id: customers.id });
    ids.set(c, row!.id);
  }
  const itemRows = await db.query.items.findMany();
  const itemId = new Map(itemRows.map((r) => [r.externalId, r.id]));
  let order = 0;
  for (const [c, items] of Object.entries(HISTORY)) {
    await db.insert(purchases).values(
      items.map((item, k) => ({
        customerId: ids.get(c)!,
        itemId: itemId.get(item)!,
        orderId: `o${order++}`,
        lineNo: 1,
        quantity: 1,
        unitPrice: 1,
        occurredAt: new Date(CUTOFF - (k + 1) * DAY_MS),
      })),
    );
  }
  // scores as the churn job would write them: value at risk falls with the customer number
  await db.insert(customerScores).values(
    Object.keys(HISTORY).map((c, k) => ({
      customerId: ids.get(c)!,
      churnProbability: 0.9 - k * 0.1,
      riskTier: (k < 3 ? 'high' : k < 6 ? 'medium' : 'low') as 'high' | 'medium' | 'low',
      pAlive: 0.5,
      expectedPurchases: 1 + k,
      predictedClv: 100,
      valueAtRisk: (0.9 - k * 0.1) * 100,
      recencyDays: 10 + k,
      frequency: 2,
      monetary: 50,
      rScore: 3,
      fScore: 3,
      mScore: 3,
      segment: k % 2 === 0 ? 'at_risk' : 'loyal',
      reasons: [{ reason: 'recency', effect: 0.2, detail: 'last order 10 days ago' }],
      modelVersion: 'test',
    })),
  );
  const modelsDir = await mkdtemp(join(tmpdir(), 'retain-models-'));
  await saveModel(modelsDir, trainState(HISTORY));
  const runtime = new ServiceRuntime({ database, modelsDir, logger: options.logger ?? createLogger('silent'), pollMs: options.pollMs ?? 0 });
  await runtime.start();
  return {
    database,
    modelsDir,
    runtime,
    async close() {
      runtime.stop();
      await rm(modelsDir, { recursive: true, force: true });
    },
  };
}

/** The shop of openShop on a fresh test database of `engine`, and an app over its runtime (silent logs). */
export async function openShopApp(engine: Engine, options: Partial<Omit<AppOptions, 'runtime'>> = {}): Promise<{ shop: Shop; app: App }> {
  const shop = await openShop(await openTestDatabase(engine));
  return { shop, app: createApp({ runtime: shop.runtime, logger: createLogger('silent'), ...options }) };
}

/** Stops the shop's runtime and closes (and drops) its test database; a shop that never opened is skipped. */
export async function closeShop(shop: Shop | undefined): Promise<void> {
  await shop?.close();
  await shop?.database.close();
}
