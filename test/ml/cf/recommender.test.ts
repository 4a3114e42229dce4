import { describe, it, expect, beforeAll } from 'vitest';
import { initTf } from '../../../src/ml/numeric/tf.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';
import { PurchaseLogBuilder, type PurchaseLog } from '../../../src/ml/customers/purchase-log.ts';
import { fitModel, servingState, uncachedRecommender, type ModelSpec } from '../../../src/ml/cf/fit.ts';
import { createRecommender } from '../../../src/ml/cf/recommender.ts';
import { foldInCustomer } from '../../../src/ml/cf/als.ts';

/** 80 customers in 4 taste groups over 60 items: each buys mostly inside its group's 15 items. */
function tasteLog(): PurchaseLog {
  const rng = createRng(11);
  const b = new PurchaseLogBuilder();
  for (let c = 0; c < 80; c++) {
    const group = c % 4;
    const lines = 4 + rng.int(10);
    for (let l = 0; l < lines; l++) {
      const item = rng.next() < 0.85 ? group * 15 + rng.int(15) : rng.int(60);
      b.add(`c${c}`, `i${item}`, `o${c}-${l}`, 1, 1, Date.UTC(2011, 0, 1 + rng.int(200)));
    }
  }
  return b.build();
}

const specs: ModelSpec[] = [
  { algorithm: 'ease', lambda: 5 },
  { algorithm: 'als', factors: 8, iterations: 8, regularization: 0.5, alpha: 5 },
  { algorithm: 'knn', neighbours: 10 },
  { algorithm: 'popularity' },
];

/** Cached lists of embedding models come from tfjs batch products, so scores agree to float rounding. */
function sameRanking(got: { item: number; score: number }[], want: { item: number; score: number }[]): void {
  expect(got.map((s) => s.item)).toEqual(want.map((s) => s.item));
  got.forEach((s, j) => expect(s.score).toBeCloseTo(want[j]!.score, 5));
}

let log: PurchaseLog;
beforeAll(async () => {
  await initTf();
  log = tasteLog();
});

describe.each(specs)('serving recommender ($algorithm)', (spec) => {
  const categories = (n: number) => Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'even' : 'odd'));

  it('answers from cached lists exactly as full scoring would, with filters holding', () => {
    const fitted = fitModel(log, spec);
    const cached = createRecommender(servingState(fitted, { candidatesPerCustomer: 6, similarPerItem: 6, itemCategories: categories(fitted.itemIds.length) }), 'v1');
    const plain = uncachedRecommender(fitted);
    const allow = (i: number) => i % 3 !== 0;
    for (let u = 0; u < fitted.customerIds.length; u += 7) {
      const exclude = new Set([u % fitted.itemIds.length]);
      const got = cached.recommend(u, 10, allow, exclude);
      sameRanking(got, plain.recommend(u, 10, allow, exclude));
      expect(got).toHaveLength(10);
      const own = new Set(fitted.history.colIdx.subarray(fitted.history.rowPtr[u]!, fitted.history.rowPtr[u + 1]!));
      for (const { item } of got) {
        expect(allow(item)).toBe(true);
        expect(exclude.has(item) || own.has(item)).toBe(false);
      }
      for (let j = 1; j < got.length; j++) expect(got[j]!.score).toBeLessThanOrEqual(got[j - 1]!.score);
      sameRanking(cached.recommend(u, 3), plain.recommend(u, 3));
    }
    for (let i = 0; i < fitted.itemIds.length; i += 9) {
      const got = cached.similar(i, 8, allow);
      expect(got.map((s) => s.item)).not.toContain(i);
      for (const { item } of got) expect(allow(item)).toBe(true);
      if (spec.algorithm !== 'popularity') expect(got).toEqual(plain.similar(i, 8, allow));
    }
  });

  it('scores only a filter\'s few members and answers as full scoring does', () => {
    const fitted = fitModel(log, spec);
    const model = createRecommender(servingState(fitted, { candidatesPerCustomer: 6, similarPerItem: 6 }), 'v1');
    // one item in ten passes (6 of 60: few enough for member scoring), one of them never
    const allow = (i: number) => i % 10 === 0 && i !== 20;
    // members in no particular order (a union of category lists is not sorted)
    const withMembers = Object.assign((i: number) => allow(i), { members: Int32Array.from([50, 0, 30, 10, 40, 20]) });
    for (let u = 0; u < fitted.customerIds.length; u += 5) {
      const own = fitted.history.colIdx.subarray(fitted.history.rowPtr[u]!, fitted.history.rowPtr[u + 1]!);
      sameRanking(model.recommend(u, 4, withMembers), model.recommend(u, 4, allow));
      sameRanking(model.recommend(u, 4, withMembers, undefined, { includePurchased: true }), model.recommend(u, 4, allow, undefined, { includePurchased: true }));
      sameRanking(model.recommendFromItems(own, 4, withMembers), model.recommendFromItems(own, 4, allow));
      for (const { item } of model.recommend(u, 4, withMembers, undefined, { includePurchased: true })) expect(allow(item)).toBe(true);
    }
    for (let i = 0; i < fitted.itemIds.length; i += 7) sameRanking(model.similar(i, 4, withMembers), model.similar(i, 4, allow));
  });

  it('ranks the customer\'s purchases among the rest only with includePurchased, filters still holding', () => {
    const fitted = fitModel(log, spec);
    const model = createRecommender(servingState(fitted, { candidatesPerCustomer: 6, similarPerItem: 6 }), 'v1');
    const allow = (i: number) => i % 3 !== 0;
    let repeats = 0;
    for (let u = 0; u < fitted.customerIds.length; u += 3) {
      const own = new Set(fitted.history.colIdx.subarray(fitted.history.rowPtr[u]!, fitted.history.rowPtr[u + 1]!));
      const exclude = new Set([...own].slice(0, 1));
      const plain = model.recommend(u, 10, allow, exclude);
      const got = model.recommend(u, 10, allow, exclude, { includePurchased: true });
      expect(got).toHaveLength(10);
      for (const { item } of plain) expect(own.has(item)).toBe(false);
      for (const { item } of got) expect(allow(item) && !exclude.has(item)).toBe(true);
      for (let j = 1; j < got.length; j++) expect(got[j]!.score).toBeLessThanOrEqual(got[j - 1]!.score);
      // purchases merge into the default ranking: what is left after them is its head
      const others = got.filter((s) => !own.has(s.item));
      sameRanking(others, plain.slice(0, others.length));
      repeats += got.length - others.length;
      const basket = [...own];
      const folded = model.recommendFromItems(basket, 10, allow, undefined, { includePurchased: true });
      const foldedOthers = folded.filter((s) => !own.has(s.item));
      sameRanking(foldedOthers, model.recommendFromItems(basket, 10, allow).slice(0, foldedOthers.length));
      repeats += folded.length - foldedOthers.length;
    }
    expect(repeats).toBeGreaterThan(0);
  });

  it('returns popular items of one category in popularity order', () => {
    const fitted = fitModel(log, spec);
    const model = createRecommender(servingState(fitted, { itemCategories: categories(fitted.itemIds.length) }), 'v1');
    const top = model.popular(5, undefined, { category: 'odd' });
    expect(top).toHaveLength(5);
    for (const { item } of top) expect(item % 2).toBe(1);
    for (let j = 1; j < top.length; j++) expect(top[j]!.score).toBeLessThanOrEqual(top[j - 1]!.score);
    expect(model.popular(3, (i) => i !== top[0]!.item, { category: 'odd' })[0]).toEqual(top[1]);
  });
});

describe('fold-in', () => {
  it('recommends inside the taste group of the given items', () => {
    for (const spec of specs.slice(0, 3)) {
      const fitted = fitModel(log, spec);
      const model = uncachedRecommender(fitted);
      const group = ['i15', 'i16', 'i17', 'i18'].map((id) => model.itemIndex(id)!);
      const recs = model.recommendFromItems(group, 5).map((s) => Number(model.itemIds[s.item]!.slice(1)));
      const inGroup = recs.filter((i) => i >= 15 && i < 30).length;
      expect(inGroup, `${spec.algorithm}: ${recs.join(',')}`).toBeGreaterThanOrEqual(4);
      for (const i of group) expect(recs).not.toContain(Number(model.itemIds[i]!.slice(1)));
    }
  });

  it('reproduces a trained customer vector from that customer\'s own items (iALS)', () => {
    const fitted = fitModel(log, { algorithm: 'als', factors: 8, iterations: 10, regularization: 0.5, alpha: 5, weighting: 'counts', solver: 'exact' });
    if (fitted.scorer.algorithm !== 'als') throw new Error('als expected');
    const { scorer } = fitted;
    const k = scorer.factors;
    // customer vectors are solved before item vectors in each sweep, so compare after one more user solve:
    // fold-in with the final items must be close to the trained vector
    for (const u of [0, 13, 42]) {
      const items: number[] = [];
      for (let l = 0; l < log.customer.length; l++) if (log.customer[l] === u) items.push(log.item[l]!);
      const x = foldInCustomer(scorer.itemFactors, scorer.foldIn, items);
      const trained = scorer.userFactors.subarray(u * k, (u + 1) * k);
      let dot = 0;
      let nx = 0;
      let nt = 0;
      for (let j = 0; j < k; j++) {
        dot += x[j]! * trained[j]!;
        nx += x[j]! ** 2;
        nt += trained[j]! ** 2;
      }
      expect(dot / Math.sqrt(nx * nt)).toBeGreaterThan(0.95);
    }
  });
});

describe('iALS serving on a catalog scored inside tfjs', () => {
  it('answers from cached lists as from full scoring, with filters holding', () => {
    const rng = createRng(5);
    const b = new PurchaseLogBuilder();
    for (let c = 0; c < 300; c++) for (let l = 0; l < 12; l++) b.add(`c${c}`, `i${(c % 10) * 200 + rng.int(200)}`, `o${c}`, 1, 1, Date.UTC(2011, 0, 1 + l));
    const big = b.build();
    expect(big.itemIds.length * 64).toBeGreaterThanOrEqual(65_536);
    const fitted = fitModel(big, { algorithm: 'als', factors: 64, iterations: 3, regularization: 1, alpha: 5 });
    const cached = createRecommender(servingState(fitted, { candidatesPerCustomer: 5, similarPerItem: 5 }), 'v');
    const plain = uncachedRecommender(fitted);
    const allow = (i: number) => i % 4 !== 1;
    for (let u = 0; u < 300; u += 37) {
      const got = cached.recommend(u, 10, allow);
      sameRanking(got, plain.recommend(u, 10, allow));
      for (const { item } of got) expect(allow(item)).toBe(true);
    }
    const basket = [0, 1, 2].map((j) => fitted.history.colIdx[fitted.history.rowPtr[j * 10]! + j]!);
    const folded = cached.recommendFromItems(basket, 8, allow);
    expect(folded).toHaveLength(8);
    for (const { item } of folded) expect(allow(item) && !basket.includes(item)).toBe(true);
    cached.dispose();
    plain.dispose();
  });
});
