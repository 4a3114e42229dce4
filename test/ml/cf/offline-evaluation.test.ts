import { describe, it, expect, beforeAll } from 'vitest';
import { fitModel } from '../../../src/ml/cf/fit.ts';
import { evaluateBlend, evaluateFitted, partScores } from '../../../src/ml/cf/offline-evaluation.ts';
import { PurchaseLogBuilder, type PurchaseLog } from '../../../src/ml/customers/purchase-log.ts';
import { holdoutTargets, splitByTime } from '../../../src/ml/customers/split.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';

/** 90 customers in 3 taste groups over 30 items, purchases spread over 2011. */
function shop(): PurchaseLog {
  const rng = createRng(9);
  const b = new PurchaseLogBuilder();
  for (let c = 0; c < 90; c++) {
    for (let l = 0; l < 10; l++) {
      const item = rng.next() < 0.8 ? (c % 3) * 10 + rng.int(10) : rng.int(30);
      b.add(`c${c}`, `i${item}`, `o${c}-${l}`, 1, 1, Date.UTC(2011, 0, 1 + rng.int(300)));
    }
  }
  return b.build();
}

beforeAll(async () => {
  await initTf();
});

describe('evaluateBlend', () => {
  it('gives each customer the nDCG that evaluating the blended model gives', () => {
    const { train, test } = splitByTime(shop(), Date.UTC(2011, 8, 1));
    const targets = holdoutTargets(train, test);
    const ease = fitModel(train, { algorithm: 'ease', lambda: 10 });
    const knn = fitModel(train, { algorithm: 'knn', neighbours: 5, prior: 0.3 });
    const trending = fitModel(train, { algorithm: 'popularity', windowDays: 30 });
    const blends = [
      { parts: [ease, knn], weights: [0.7, 0.3], popularity: ease.popularity },
      { parts: [ease, knn, trending], weights: [0.5, 0.3, 0.2], popularity: trending.popularity },
    ];
    for (const { parts, weights, popularity } of blends) {
      const spec = { algorithm: 'blend' as const, parts: parts.map((p) => p.spec), weights };
      const whole = evaluateFitted(fitModel(train, spec), train, test, 5).perUser;
      const fromParts = evaluateBlend(parts.map((p) => partScores(p, targets.users, popularity)), weights, ease.history, targets, 5);
      expect(Array.from(fromParts)).toEqual(Array.from(whole));
      expect(whole.some((v) => v > 0)).toBe(true);
    }
  });
});
