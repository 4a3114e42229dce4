import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { saveRecommender } from '../../../src/artifacts/codecs/recommender.ts';
import { createApp, type App } from '../../../src/api/app.ts';
import { createLogger } from '../../../src/logger.ts';
import type { RecommenderFamily } from '../../../src/ml/cf/family.ts';
import { fitModel, resolveSpec, servingState, type ModelSpec } from '../../../src/ml/cf/fit.ts';
import { familyOf, registerFamily, registeredFamilies } from '../../../src/ml/cf/registry.ts';
import { selectModel } from '../../../src/ml/cf/selection.ts';
import type { Csr } from '../../../src/ml/cf/sparse.ts';
import { DAY_MS, PurchaseLogBuilder, type PurchaseLog } from '../../../src/ml/customers/purchase-log.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';
import { openTestDatabase, testEngines } from '../../helpers/db.ts';
import { CUTOFF, HISTORY, ITEMS, openShop, type Shop } from '../../api/fixture.ts';

// A toy family written here and nowhere else: item j's score for a basket is how many customers
// bought j together with each basket item (pairs seen fewer than `minShared` times count 0).
interface CoBoughtOptions {
  minShared: number;
}
interface CoBoughtModel {
  /** Items x items co-purchase counts, row-major, zero diagonal. */
  counts: Float32Array;
}

const coBought: RecommenderFamily<'co-bought', CoBoughtOptions, CoBoughtModel> = {
  algorithm: 'co-bought',
  defaults: { minShared: 1 },
  fit: ({ history }, { minShared }) => ({ model: { counts: coCounts(history, minShared) } }),
  scorer: ({ counts }, { nItems }) => ({
    scoreItems(itemIdxs, out) {
      out.fill(0);
      for (let j = 0; j < itemIdxs.length; j++) for (let i = 0; i < nItems; i++) out[i]! += counts[itemIdxs[j]! * nItems + i]!;
    },
    similarTo: (i, out) => out.set(counts.subarray(i * nItems, (i + 1) * nItems)),
  }),
  encode: ({ counts }) => ({ arrays: { 'co-counts': counts } }),
  decode(part) {
    const counts = part.float32('co-counts');
    if (counts.length !== part.items * part.items) part.reject('co-counts.f32 has the wrong size');
    return { counts };
  },
  searchSpace: () => ({ candidates: [{ minShared: 1 }, { minShared: 2 }] }),
};

function coCounts(history: Csr, minShared: number): Float32Array {
  const n = history.cols;
  const counts = new Float32Array(n * n);
  for (let u = 0; u < history.rows; u++) {
    const row = history.colIdx.subarray(history.rowPtr[u]!, history.rowPtr[u + 1]!);
    for (const a of row) for (const b of row) if (a !== b) counts[a * n + b]!++;
  }
  return counts.map((c) => (c >= minShared ? c : 0));
}

/** ModelSpec lists the built-in families; a family registered at run time is reached by its name. */
const spec = (minShared: number) => ({ algorithm: 'co-bought', minShared }) as unknown as ModelSpec;

/** What the toy should answer, straight from the purchase lists: customers who bought both. */
function expectedScores(basket: string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const { externalId: j } of ITEMS) {
    let s = 0;
    for (const i of basket) for (const items of Object.values(HISTORY)) if (i !== j && items.includes(i) && items.includes(j)) s++;
    out.set(j, s);
  }
  return out;
}

beforeAll(async () => {
  await initTf();
  registerFamily(coBought);
});

describe('the recommender registry', () => {
  it('holds the built-in families in selection order, then the ones registered later, once each', () => {
    expect(registeredFamilies().map((f) => f.algorithm)).toEqual(['popularity', 'knn', 'rp3beta', 'ease', 'als', 'blend', 'co-bought']);
    expect(() => registerFamily(coBought)).toThrow(/recommender family 'co-bought' is already registered/);
    expect(() => familyOf('slim')).toThrow(/unknown recommender family 'slim' \(known: popularity, knn, rp3beta, ease, als, blend, co-bought\)/);
    expect(resolveSpec(spec(2))).toEqual({ algorithm: 'co-bought', minShared: 2 });
    expect(resolveSpec({ algorithm: 'co-bought' } as unknown as ModelSpec)).toEqual({ algorithm: 'co-bought', minShared: 1 });
  });

  it('lets model selection try the new family\'s settings after the built-in ones', () => {
    const rng = createRng(3);
    const b = new PurchaseLogBuilder();
    for (let c = 0; c < 40; c++) for (let l = 0; l < 6; l++) b.add(`c${c}`, `i${(c % 4) * 5 + rng.int(5)}`, `o${c}-${l}`, 1, 1, Date.UTC(2011, 0, 1 + rng.int(200)));
    const log = b.build();
    const plan = { mode: 'time' as const, innerCutoff: Date.UTC(2011, 0, 150), stepDays: 20, folds: 1 };
    const { trials, skipped } = selectModel(log, { plan, alsBudget: 1, alsIterations: 2, blendWeights: [] });
    expect(skipped).toEqual([]);
    // the log spans 200 days: 5 plain EASE lambdas and 3 recency-weighted, 4 plain kNN and 2 recency-weighted
    const ease = Array<string>(8).fill('ease');
    const knn = Array<string>(6).fill('knn');
    expect(trials.map((t) => t.spec.algorithm)).toEqual(['popularity', 'popularity', ...knn, 'rp3beta', 'rp3beta', 'rp3beta', ...ease, 'als', 'co-bought', 'co-bought']);
    const toy = trials.filter((t) => t.spec.algorithm === ('co-bought' as string));
    expect(toy.map((t) => t.spec)).toEqual([spec(1), spec(2)]);
    // four taste groups of five items: co-purchases find the group, unlike all-time popularity
    for (const t of toy) expect(t.ndcg.mean).toBeGreaterThan(trials[0]!.ndcg.mean);
  });
});

describe.each(testEngines())('a family added through the registry alone, trained, saved, loaded and served (%s)', (engine) => {
  let shop: Shop;
  let app: App;
  let version: string;
  beforeAll(async () => {
    shop = await openShop(await openTestDatabase(engine));
    app = createApp({ runtime: shop.runtime, logger: createLogger('silent') });
    const b = new PurchaseLogBuilder();
    let order = 0;
    for (const [c, items] of Object.entries(HISTORY)) items.forEach((item, k) => b.add(c, item, `o${order++}`, 1, 1, CUTOFF - (k + 1) * DAY_MS));
    const log: PurchaseLog = b.build();
    const categories = new Map(ITEMS.map((i) => [i.externalId, i.category ?? '']));
    const state = servingState(fitModel(log, spec(1)), { candidatesPerCustomer: 3, similarPerItem: 3, itemCategories: log.itemIds.map((id) => categories.get(id)!) });
    const manifest = await saveRecommender(shop.modelsDir, state, { params: { model: resolveSpec(spec(1)) }, dataWindow: { from: null, to: new Date(CUTOFF).toISOString() }, metrics: {} });
    version = manifest.version;
    // the service's own reload: CURRENT moved, the runtime loads the new version from disk
    expect(await shop.runtime.models.refresh()).toBe(true);
  }, 60_000);
  afterAll(async () => {
    await shop?.close();
    await shop?.database.close();
  });

  const get = async (path: string) => (await (await app.request(path)).json()) as any;
  /** The expected top-n: best score first, ties by the model's item order, never the given or non-products. */
  const best = (scores: Map<string, number>, leaveOut: string[], n: number) => {
    const model = shop.runtime.models.current!.recommender;
    return [...scores]
      .filter(([id]) => !leaveOut.includes(id) && id !== 'POST')
      .sort(([a, sa], [b, sb]) => sb - sa || model.itemIndex(a)! - model.itemIndex(b)!)
      .slice(0, n);
  };
  const pairs = (body: any) => body.items.map((i: { item_id: string; score: number }) => [i.item_id, i.score]);

  it('serves the loaded model', async () => {
    expect(shop.runtime.models.current!.recommender.algorithm).toBe('co-bought');
    const { models } = await get('/v1/models');
    expect(models).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'recommender', version, active: true, loaded: true })]));
  });

  it('recommends to a known customer from its scores, purchases and non-products left out', async () => {
    for (const c of ['c1', 'c5', 'c8']) {
      const body = await get(`/v1/customers/${c}/recommendations?limit=4`);
      expect(body.source).toBe('personalized');
      expect(body.model_version).toBe(version);
      expect(pairs(body)).toEqual(best(expectedScores(HISTORY[c]!), HISTORY[c]!, 4));
    }
  });

  it('folds in a new customer\'s purchases and answers similar items', async () => {
    const res = await app.request('/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ events: [{ event_id: 'toy-1', type: 'purchase', customer_id: 'newbie', item_id: 'bag-jute', occurred_at: '2011-10-02T10:00:00Z' }] }),
    });
    expect(res.status).toBe(200);
    const folded = await get('/v1/customers/newbie/recommendations?limit=3');
    expect(folded.source).toBe('personalized');
    expect(pairs(folded)).toEqual(best(expectedScores(['bag-jute']), ['bag-jute'], 3));
    const similar = await get('/v1/items/mug-blue/similar?limit=3');
    expect(pairs(similar)).toEqual(best(expectedScores(['mug-blue']), ['mug-blue'], 3));
  });
});
