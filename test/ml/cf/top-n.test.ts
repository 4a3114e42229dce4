import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { topN, type ItemFilter, type ScoredItem } from '../../../src/ml/cf/top-n.ts';
import { createRng, shuffled } from '../../../src/ml/numeric/rng.ts';

/** The specification: every eligible item sorted by score (best first), ties by the lower index. */
function bruteForce(scores: ArrayLike<number>, n: number, allow?: (i: number) => boolean, skip?: (i: number) => boolean, among?: ArrayLike<number>): ScoredItem[] {
  const visited = among ? Array.from(among) : Array.from({ length: scores.length }, (_, i) => i);
  return visited
    .map((item) => ({ item, score: scores[item]! }))
    .filter(({ item, score }) => Number.isFinite(score) && (allow?.(item) ?? true) && !(skip?.(item) ?? false))
    .sort((a, b) => b.score - a.score || a.item - b.item)
    .slice(0, Math.max(0, n));
}

describe('topN', () => {
  // many ties: scores in {0, 1, 2}, and items that never pass
  const rng = createRng(5);
  const scores = Float32Array.from({ length: 200 }, () => rng.int(3));
  const allow = (i: number) => i % 7 !== 0;

  it('breaks ties by the lower item index and skips filtered items', () => {
    expect(topN(scores, 12, allow)).toEqual(bruteForce(scores, 12, allow));
  });

  it('gives the same answer whatever order `among` visits the items in', () => {
    const all = Int32Array.from({ length: 200 }, (_, i) => i);
    for (let seed = 1; seed <= 5; seed++) {
      expect(topN(scores, 12, allow, undefined, shuffled(all, createRng(seed)))).toEqual(topN(scores, 12, allow));
    }
    const some = Int32Array.from([150, 3, 77, 3 + 7 * 2, 42, 9, 120]);
    expect(topN(scores, 3, allow, undefined, some).map((s) => s.item).every((i) => some.includes(i) && allow(i))).toBe(true);
  });

  it('returns every eligible item, best first, when n exceeds them, and nothing for n <= 0', () => {
    const few = Float32Array.from([3, -Infinity, 5, Number.NaN, 5, Infinity, 1]);
    expect(topN(few, 50, undefined)).toEqual([
      { item: 2, score: 5 },
      { item: 4, score: 5 },
      { item: 0, score: 3 },
      { item: 6, score: 1 },
    ]);
    expect(topN(few, 50, (i) => i !== 4, (i) => i === 0)).toEqual([
      { item: 2, score: 5 },
      { item: 6, score: 1 },
    ]);
    expect(topN(few, 0, undefined)).toEqual([]);
    expect(topN(few, -3, undefined)).toEqual([]);
    expect(topN(Float32Array.from([-Infinity, Number.NaN]), 5, undefined)).toEqual([]);
  });

  // tie-heavy values, the non-finite ones, and any float32
  const score = fc.oneof(fc.constantFrom(0, -0, 1, 2, -1.5, -Infinity, Infinity, Number.NaN), fc.float());
  const problem = fc
    .record({
      values: fc.array(score, { minLength: 0, maxLength: 120 }),
      n: fc.integer({ min: -1, max: 130 }),
      float64: fc.boolean(),
      allowMask: fc.option(fc.array(fc.boolean(), { minLength: 120, maxLength: 120 }), { nil: undefined }),
      skipMask: fc.option(fc.array(fc.boolean(), { minLength: 120, maxLength: 120 }), { nil: undefined }),
      members: fc.option(fc.array(fc.boolean(), { minLength: 120, maxLength: 120 }), { nil: undefined }),
      seed: fc.integer({ min: 1, max: 1_000_000 }),
    })
    .map(({ values, n, float64, allowMask, skipMask, members, seed }) => {
      const scores = float64 ? Float64Array.from(values) : Float32Array.from(values);
      // a filter with its member list, visited in no particular order, as the serving code passes them
      const among = members && shuffled(Int32Array.from(values.flatMap((_, i) => (members[i] ? [i] : []))), createRng(seed));
      const test = allowMask && ((i: number) => allowMask[i]!);
      const allow: ItemFilter | undefined = test && (among ? Object.assign(test, { members: among }) : test);
      const skip = skipMask && ((i: number) => skipMask[i]!);
      return { scores, n, allow, skip, among, seed };
    });

  it('agrees with a brute-force sort on random scores, filters, exclusions and member lists', () => {
    fc.assert(
      fc.property(problem, ({ scores, n, allow, skip, among }) => {
        const got = topN(scores, n, allow, skip, among);
        expect(got).toEqual(bruteForce(scores, n, allow, skip, among));
        for (const { score } of got) expect(Number.isFinite(score)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('does not depend on the order the member list is visited in', () => {
    fc.assert(
      fc.property(problem, ({ scores, n, allow, skip, among, seed }) => {
        const members = among ?? Int32Array.from(scores, (_, i) => i);
        expect(topN(scores, n, allow, skip, shuffled(members, createRng(seed + 1)))).toEqual(topN(scores, n, allow, skip, members));
      }),
      { numRuns: 300 },
    );
  });
});
