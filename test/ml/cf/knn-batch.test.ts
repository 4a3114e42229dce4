import { describe, it, expect, afterEach } from 'vitest';
import { emptyLists } from '../../../src/ml/cf/fit.ts';
import { knnFamily } from '../../../src/ml/cf/families/knn.ts';
import { csrFromPairs, withValues } from '../../../src/ml/cf/sparse.ts';
import { createRng, shuffled } from '../../../src/ml/numeric/rng.ts';
import { setThreadCount } from '../../../src/ml/numeric/threads.ts';
import { topByScore } from '../../helpers/top-k.ts';

// 8 customers x 23 items, each item with a few neighbours; similarities on a grid of 1/8 so Float32
// sums are exact and ties between items occur (broken by the prior when there is one: every item's
// popularity differs)
const nItems = 23;
const rng = createRng(4);
const draw = (rows: number, count: number) => Array.from({ length: count }, () => [rng.int(rows), rng.int(nItems)] as const);
const bought = draw(8, 40);
const history = csrFromPairs(8, nItems, Int32Array.from(bought, (p) => p[0]), Int32Array.from(bought, (p) => p[1]));
const links = draw(nItems, 70).filter(([i, j]) => i !== j);
const pattern = csrFromPairs(nItems, nItems, Int32Array.from(links, (p) => p[0]), Int32Array.from(links, (p) => p[1]));
const neighbours = withValues(pattern, Float32Array.from(pattern.values, () => (1 + rng.int(8)) / 8));
const popularity = Float32Array.from(shuffled(Float64Array.from({ length: nItems }, (_, i) => 1 + i), rng));

/** Float64 reference: neighbour sums, divided by the best, plus prior x popularity / max popularity; own items left out. */
function reference(u: number, k: number, prior: number): { item: number; score: number }[] {
  const own = Array.from(history.colIdx.subarray(history.rowPtr[u]!, history.rowPtr[u + 1]!));
  const sums = new Array<number>(nItems).fill(0);
  for (const i of own) for (let e = neighbours.rowPtr[i]!; e < neighbours.rowPtr[i + 1]!; e++) sums[neighbours.colIdx[e]!]! += neighbours.values[e]!;
  const best = Math.max(0, ...sums);
  const top = Math.max(...popularity);
  const scores = sums.map((s, j) => (prior > 0 ? (best > 0 ? s / best : 0) + (prior * popularity[j]!) / top : s));
  return topByScore(scores, own, k);
}

afterEach(() => setThreadCount(undefined));

describe('item-kNN batch top-N', () => {
  const users = Int32Array.from([7, 0, 2, 2, 5, 1, 6, 3, 4]);
  const context = { nItems, history, popularity, similarItems: emptyLists() };

  it.each([
    { threads: 1, prior: 0 },
    { threads: 2, prior: 0 },
    { threads: 2, prior: 0.3 },
  ])('matches a Float64 reference ($threads threads, prior $prior)', ({ threads, prior }) => {
    setThreadCount(threads);
    for (const k of [1, 4, nItems]) {
      const got = knnFamily.batchTopN!({ neighbours, prior }, users, k, context);
      expect(got).toHaveLength(users.length);
      got.forEach((list, j) => {
        const want = reference(users[j]!, k, prior);
        expect(list.map((s) => s.item)).toEqual(want.map((s) => s.item));
        list.forEach((s, r) => expect(s.score).toBeCloseTo(want[r]!.score, 5));
      });
    }
  });
});
