import { describe, it, expect } from 'vitest';
import { topN } from '../../../src/ml/cf/top-n.ts';
import { createRng, shuffled } from '../../../src/ml/numeric/rng.ts';

describe('topN', () => {
  // many ties: scores in {0, 1, 2}, and items that never pass
  const rng = createRng(5);
  const scores = Float32Array.from({ length: 200 }, () => rng.int(3));
  const allow = (i: number) => i % 7 !== 0;

  it('breaks ties by the lower item index and skips filtered items', () => {
    const got = topN(scores, 12, allow);
    const want = Array.from(scores, (score, item) => ({ item, score }))
      .filter(({ item }) => allow(item))
      .sort((a, b) => b.score - a.score || a.item - b.item)
      .slice(0, 12);
    expect(got).toEqual(want);
  });

  it('gives the same answer whatever order `among` visits the items in', () => {
    const all = Int32Array.from({ length: 200 }, (_, i) => i);
    for (let seed = 1; seed <= 5; seed++) {
      expect(topN(scores, 12, allow, undefined, shuffled(all, createRng(seed)))).toEqual(topN(scores, 12, allow));
    }
    const some = Int32Array.from([150, 3, 77, 3 + 7 * 2, 42, 9, 120]);
    expect(topN(scores, 3, allow, undefined, some).map((s) => s.item).every((i) => some.includes(i) && allow(i))).toBe(true);
  });
});
