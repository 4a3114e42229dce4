import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRecommender, encodeRecommender, loadRecommender, saveRecommender } from '../../../src/artifacts/codecs/recommender.ts';
import { loadArtifact } from '../../../src/artifacts/store.ts';
import { fitModel, servingState, type ModelSpec } from '../../../src/ml/cf/fit.ts';
import { createRecommender } from '../../../src/ml/cf/recommender.ts';
import type { ScoredItem } from '../../../src/ml/cf/top-n.ts';
import { PurchaseLogBuilder, type PurchaseLog } from '../../../src/ml/customers/purchase-log.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';

// Models saved by the code before the registry (see fixtures/recommender-v1/README.md).
const FIXTURES = new URL('../fixtures/recommender-v1/', import.meta.url).pathname;
const families = ['ease', 'als', 'knn', 'popularity'] as const;

interface Answers {
  customers: number;
  items: number;
  recommend: ScoredItem[][];
  recommendOdd: ScoredItem[][];
  fromItems: ScoredItem[][];
  similar: ScoredItem[][];
  popular: ScoredItem[];
}

/** Same items in the same order; scores to float32 precision (catalog products may be summed in another order). */
function same(got: ScoredItem[], want: ScoredItem[]): void {
  expect(got.map((s) => s.item)).toEqual(want.map((s) => s.item));
  got.forEach((s, j) => expect(s.score).toBeCloseTo(want[j]!.score, 5));
}

/** 60 customers in 4 taste groups over 60 items. */
function tasteLog(): PurchaseLog {
  const rng = createRng(11);
  const b = new PurchaseLogBuilder();
  for (let c = 0; c < 60; c++) {
    for (let l = 0; l < 4 + rng.int(8); l++) {
      const item = rng.next() < 0.85 ? (c % 4) * 15 + rng.int(15) : rng.int(60);
      b.add(`c${c}`, `i${item}`, `o${c}-${l}`, 1, 1, Date.UTC(2011, 0, 1 + rng.int(200)));
    }
  }
  return b.build();
}

let log: PurchaseLog;
beforeAll(async () => {
  await initTf();
  log = tasteLog();
});

const specs: ModelSpec[] = [
  { algorithm: 'ease', lambda: 5 },
  { algorithm: 'als', factors: 8, iterations: 8, regularization: 0.5, alpha: 5 },
  { algorithm: 'knn', neighbours: 10 },
  { algorithm: 'popularity', windowDays: 90 },
];

describe.each(specs)('a saved $algorithm model', (spec) => {
  it('survives encode -> decode and save -> load with bit-identical answers', async () => {
    const fitted = fitModel(log, spec);
    const state = servingState(fitted, { candidatesPerCustomer: 4, similarPerItem: 4 });
    const dir = await mkdtemp(join(tmpdir(), 'retain-rec-'));
    const manifest = await saveRecommender(dir, state, { params: { spec }, dataWindow: { from: null, to: '2011-07-20T00:00:00.000Z' }, metrics: {} });
    const loaded = await loadRecommender(dir);
    const decoded = createRecommender(decodeRecommender(new Map(Object.entries(encodeRecommender(state)).map(([k, v]) => [k, Buffer.from(v)])), 'x'), 'x');
    const original = createRecommender(state, manifest.version);
    expect(loaded.version).toBe(manifest.version);
    expect(loaded.manifest).toEqual(manifest);
    expect(loaded.algorithm).toBe(spec.algorithm);
    for (let u = 0; u < fitted.customerIds.length; u += 5) {
      const want = original.recommend(u, 12, (i) => i !== 1);
      expect(loaded.recommend(u, 12, (i) => i !== 1)).toEqual(want);
      expect(decoded.recommend(u, 12, (i) => i !== 1)).toEqual(want);
      expect(loaded.recommendFromItems([u % 60, (u * 7) % 60], 5)).toEqual(original.recommendFromItems([u % 60, (u * 7) % 60], 5));
      expect(loaded.similar(u % 60, 6)).toEqual(original.similar(u % 60, 6));
    }
    expect(loaded.popular(10)).toEqual(original.popular(10));
    expect(loaded.customerIndex('c3')).toBe(original.customerIndex('c3'));
    expect(loaded.customerIndex('nobody')).toBeUndefined();
    expect(loaded.itemIndex('i7')).toBe(original.itemIndex('i7'));
    for (const m of [loaded, decoded, original]) m.dispose();
    await rm(dir, { recursive: true, force: true });
  });
});

describe.each(families)('a version-1 %s artifact', (family) => {
  const modelsDir = join(FIXTURES, family, 'models');

  it('loads and answers as the code that wrote it did', async () => {
    const want = JSON.parse(await readFile(join(FIXTURES, family, 'answers.json'), 'utf8')) as Answers;
    const model = await loadRecommender(modelsDir);
    expect(model.algorithm).toBe(family);
    expect(model.manifest.version).toBe('20261201T000000000Z');
    expect([model.customerIds.length, model.itemIds.length]).toEqual([want.customers, want.items]);
    const odd = (i: number) => Number(model.itemIds[i]!.slice(1)) % 2 === 1;
    model.customerIds.forEach((_, u) => {
      same(model.recommend(u, 6), want.recommend[u]!);
      same(model.recommend(u, 6, odd), want.recommendOdd[u]!);
    });
    [[0, 1], [5], [2, 9, 14]].forEach((basket, j) => same(model.recommendFromItems(basket, 5), want.fromItems[j]!));
    model.itemIds.forEach((_, i) => same(model.similar(i, 5), want.similar[i]!));
    same(model.popular(8, undefined, { category: 'even' }), want.popular);
    model.dispose();
  });

  it('is written back byte for byte by the current encoder', async () => {
    const { manifest, files } = await loadArtifact(modelsDir, 'recommender');
    const encoded = encodeRecommender(decodeRecommender(files, manifest.version));
    expect(Object.keys(encoded)).toEqual(Object.keys(manifest.files));
    for (const [name, content] of Object.entries(encoded)) {
      expect(Buffer.from(content).equals(files.get(name)!), name).toBe(true);
    }
  });
});

describe('recommender codec', () => {
  const filesOf = async (family: string) => (await loadArtifact(join(FIXTURES, family, 'models'), 'recommender')).files;
  const withStructure = (files: Map<string, Buffer>, change: (s: Record<string, unknown>) => void) => {
    const structure = JSON.parse(files.get('structure.json')!.toString('utf8')) as Record<string, unknown>;
    change(structure);
    return new Map([...files, ['structure.json', Buffer.from(JSON.stringify(structure))]]);
  };

  it('refuses a family this build does not know, naming the ones it does', async () => {
    const files = withStructure(await filesOf('ease'), (s) => (s.algorithm = 'slim'));
    expect(() => decodeRecommender(files, 'v9')).toThrow(/recommender model v9: unknown recommender family 'slim' \(this build knows popularity, knn, rp3beta, ease, als, blend\)/);
  });

  it('refuses missing or inconsistent family parts with a clear message', async () => {
    const als = await filesOf('als');
    expect(() => decodeRecommender(withStructure(als, (s) => delete s.als), 'v1')).toThrow(/recommender model v1: als settings missing or invalid/);
    expect(() => decodeRecommender(withStructure(als, (s) => ((s.als as { weighting: string }).weighting = 'squared')), 'v1')).toThrow(/als settings missing or invalid/);
    expect(() => decodeRecommender(new Map([...als, ['item-factors.f32', als.get('item-factors.f32')!.subarray(0, 16)]]), 'v1')).toThrow(/als factor files do not match 24 customers x 16 items x 4 factors/);
    const ease = await filesOf('ease');
    expect(() => decodeRecommender(new Map([...ease].filter(([name]) => name !== 'ease-weights.f32')), 'v2')).toThrow(/recommender model v2: file ease-weights\.f32 is missing/);
    expect(() => decodeRecommender(new Map([...ease, ['ease-weights.f32', Buffer.alloc(8)]]), 'v2')).toThrow(/ease-weights\.f32 holds 2 weights, expected 16²/);
    const knn = await filesOf('knn');
    expect(() => decodeRecommender(new Map([...knn, ['neighbours.rowptr.i32', Buffer.alloc(8)]]), 'v3')).toThrow(/neighbours\.rowptr\.i32 has 2 entries, expected 17/);
  });
});
