import { describe, it, expect, beforeAll } from 'vitest';
import { decodeRecommender, encodeRecommender } from '../../../src/artifacts/codecs/recommender.ts';
import { blendScores } from '../../../src/ml/cf/blend.ts';
import { fitModel, servingState, uncachedRecommender } from '../../../src/ml/cf/fit.ts';
import { createRecommender } from '../../../src/ml/cf/recommender.ts';
import { PurchaseLogBuilder, type PurchaseLog } from '../../../src/ml/customers/purchase-log.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';

function shop(): PurchaseLog {
  const rng = createRng(5);
  const b = new PurchaseLogBuilder();
  for (let c = 0; c < 60; c++) for (let l = 0; l < 6; l++) b.add(`c${c}`, `i${(c % 3) * 6 + rng.int(6)}`, `o${c}-${l}`, 1, 1, Date.UTC(2011, 0, 1 + rng.int(200)));
  return b.build();
}

beforeAll(async () => {
  await initTf();
});

describe('blend family', () => {
  const log = shop();
  const parts = [{ algorithm: 'ease', lambda: 10 }, { algorithm: 'rp3beta', alpha: 1, beta: 0.5 }];

  it('scores a customer as the weighted sum of its parts\' normalised scores', () => {
    const blended = uncachedRecommender(fitModel(log, { algorithm: 'blend', parts, weights: [0.7, 0.3] }));
    const ease = uncachedRecommender(fitModel(log, { algorithm: 'ease', lambda: 10 }));
    const rp3 = uncachedRecommender(fitModel(log, { algorithm: 'rp3beta', alpha: 1, beta: 0.5 }));
    const n = log.itemIds.length;
    const all = (r: typeof ease, u: number) => {
      const out = new Float32Array(n).fill(-Infinity);
      for (const s of r.recommend(u, n, undefined, undefined, { includePurchased: true })) out[s.item] = s.score;
      return out;
    };
    for (const u of [0, 7, 31]) {
      const expected = new Float32Array(n);
      blendScores([all(ease, u), all(rp3, u)], [0.7, 0.3], expected);
      const got = all(blended, u);
      for (let i = 0; i < n; i++) expect(got[i]).toBeCloseTo(expected[i]!, 5);
    }
  });

  it('is saved and loaded with its parts, answering exactly as before', () => {
    const fitted = fitModel(log, { algorithm: 'blend', parts, weights: [0.6, 0.4] });
    const state = servingState(fitted, { candidatesPerCustomer: 5, similarPerItem: 5 });
    const files = new Map(Object.entries(encodeRecommender(state)).map(([name, content]) => [name, Buffer.from(content)]));
    const before = createRecommender(state, 'v1');
    const after = createRecommender(decodeRecommender(files, 'v1'), 'v1');
    expect(after.algorithm).toBe('blend');
    for (const u of [0, 5, 40]) expect(after.recommend(u, 8, undefined, undefined, { includePurchased: true })).toEqual(before.recommend(u, 8, undefined, undefined, { includePurchased: true }));
    expect(after.recommendFromItems([1, 2], 5)).toEqual(before.recommendFromItems([1, 2], 5));
    expect(after.similar(3, 4)).toEqual(before.similar(3, 4));
  });

  it('refuses a blend inside a blend and weights that do not match its parts', () => {
    expect(() => fitModel(log, { algorithm: 'blend', parts: [{ algorithm: 'blend' }, { algorithm: 'ease' }], weights: [0.5, 0.5] })).toThrow(/cannot contain a blend/);
    expect(() => fitModel(log, { algorithm: 'blend', parts, weights: [1] })).toThrow(/one weight each/);
  });
});
