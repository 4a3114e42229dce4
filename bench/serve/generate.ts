// The serving benchmark's inputs: a generated ALS recommender of realistic size (customers × items ×
// factors with random embeddings and random purchase histories), saved as a real artifact with the
// same precomputed lists training writes, and a database holding its catalog and a set of
// customers with purchases made after training (the fold-in scenario).
import { mkdir, rm, stat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { saveRecommender } from '../../src/artifacts/codecs/recommender.ts';
import type { Database } from '../../src/db/client.ts';
import { customers, items, purchases } from '../../src/db/schema/index.ts';
import type { FittedModel } from '../../src/ml/cf/fit.ts';
import { servingState } from '../../src/ml/cf/fit.ts';
import type { Csr } from '../../src/ml/cf/sparse.ts';
import { gramOfRows } from '../../src/ml/numeric/linalg.ts';
import { DAY_MS } from '../../src/ml/customers/purchase-log.ts';
import { createRng } from '../../src/ml/numeric/rng.ts';
import { createProgress } from '../../src/progress.ts';

export interface BenchShape {
  customers: number;
  items: number;
  factors: number;
  /** Training purchases per customer (distinct items). */
  historyPerCustomer: number;
  /** Customers who bought after training (answered by fold-in). */
  freshCustomers: number;
  freshItemsPerCustomer: number;
  categories: number;
}

export const DEFAULT_SHAPE: BenchShape = { customers: 100_000, items: 20_000, factors: 64, historyPerCustomer: 8, freshCustomers: 5_000, freshItemsPerCustomer: 3, categories: 20 };

export const TRAINED_UNTIL = Date.UTC(2026, 0, 1);

export interface BenchData {
  shape: BenchShape;
  modelsDir: string;
  customerIds: string[];
  itemIds: string[];
  freshCustomerIds: string[];
  /** Bytes of the model's files on disk. */
  modelBytes: number;
}

const customerId = (u: number) => `cust-${u}`;
const itemId = (i: number) => `item-${i}`;

/** Builds the model under `dir` unless a previous run left it there (it takes minutes). */
export async function prepareBenchModel(dir: string, shape: BenchShape = DEFAULT_SHAPE): Promise<BenchData> {
  const modelsDir = join(dir, 'models');
  const marker = join(dir, `ready-${shape.customers}x${shape.items}x${shape.factors}`);
  const customerIds = Array.from({ length: shape.customers }, (_, u) => customerId(u));
  const itemIds = Array.from({ length: shape.items }, (_, i) => itemId(i));
  const freshCustomerIds = customerIds.slice(0, shape.freshCustomers);
  const exists = await stat(marker).then(() => true, () => false);
  if (!exists) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    await writeModel(modelsDir, shape, customerIds, itemIds);
    await mkdir(marker);
  }
  return { shape, modelsDir, customerIds, itemIds, freshCustomerIds, modelBytes: await folderBytes(join(modelsDir, 'recommender')) };
}

async function writeModel(modelsDir: string, shape: BenchShape, customerIds: string[], itemIds: string[]): Promise<void> {
  const rng = createRng(20_260_101);
  const { factors: k, customers: nc, items: ni } = shape;
  const scale = 1 / Math.sqrt(k);
  const userFactors = Float32Array.from({ length: nc * k }, () => rng.normal() * scale);
  const itemFactors = Float32Array.from({ length: ni * k }, () => rng.normal() * scale);
  // purchase histories with a long tail: item i drawn with probability ∝ 1 / (i + 10)
  const cdf = new Float64Array(ni);
  let total = 0;
  for (let i = 0; i < ni; i++) cdf[i] = total += 1 / (i + 10);
  const draw = () => {
    const x = rng.next() * total;
    let lo = 0;
    let hi = ni - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const rowPtr = new Int32Array(nc + 1);
  const cols: number[] = [];
  for (let u = 0; u < nc; u++) {
    const own = new Set<number>();
    while (own.size < shape.historyPerCustomer) own.add(draw());
    cols.push(...[...own].sort((a, b) => a - b));
    rowPtr[u + 1] = cols.length;
  }
  const history: Csr = { rows: nc, cols: ni, rowPtr, colIdx: Int32Array.from(cols), values: new Float32Array(cols.length).fill(1) };
  const popularity = new Float32Array(ni);
  for (const c of cols) popularity[c]! += 1;
  const gram = gramOfRows(itemFactors, ni, k);
  for (let j = 0; j < k; j++) gram[j * k + j]! += 30;
  const fitted: FittedModel = {
    spec: { algorithm: 'als', factors: k },
    scorer: { algorithm: 'als', factors: k, userFactors, itemFactors, foldIn: { factors: k, gram, alpha: 2, weighting: 'log' } },
    history,
    popularity,
    customerIds,
    itemIds,
    seconds: 0,
  };
  const progress = createProgress({ label: 'precomputing candidate and similar-item lists', total: nc + ni, unit: 'rows' });
  const state = servingState(fitted, { itemCategories: itemIds.map((_, i) => `cat-${i % shape.categories}`), onProgress: (done) => progress.update(done) });
  progress.finish();
  await saveRecommender(modelsDir, state, {
    params: { algorithm: 'als', generated: true, ...shape },
    dataWindow: { from: null, to: new Date(TRAINED_UNTIL).toISOString() },
    metrics: {},
  });
}

/** Fills an empty, migrated database: the model's catalog and the fresh purchases. */
export async function seedBenchDatabase(database: Database, data: BenchData): Promise<void> {
  const { shape, itemIds, freshCustomerIds } = data;
  const db = database.db;
  for (let from = 0; from < itemIds.length; from += 2000) {
    await db.insert(items).values(itemIds.slice(from, from + 2000).map((externalId, k) => ({ externalId, title: `Item ${from + k}`, category: `cat-${(from + k) % shape.categories}`, price: 1 + ((from + k) % 50) })));
  }
  const rng = createRng(7);
  const itemRows = new Map((await db.select({ id: items.id, externalId: items.externalId }).from(items)).map((r) => [r.externalId, r.id]));
  let order = 0;
  for (let from = 0; from < freshCustomerIds.length; from += 1000) {
    const batch = freshCustomerIds.slice(from, from + 1000);
    const rows = await db.insert(customers).values(batch.map((externalId) => ({ externalId }))).returning({ id: customers.id });
    const lines = rows.flatMap((r) =>
      Array.from({ length: shape.freshItemsPerCustomer }, (_, k) => ({
        customerId: r.id,
        itemId: itemRows.get(itemIds[rng.int(itemIds.length)]!)!,
        orderId: `fresh-${order++}`,
        lineNo: k + 1,
        quantity: 1,
        unitPrice: 5,
        occurredAt: new Date(TRAINED_UNTIL + (1 + rng.int(20)) * DAY_MS),
        source: 'api' as const,
      })),
    );
    await db.insert(purchases).values(lines);
  }
}

async function folderBytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return bytes;
}
