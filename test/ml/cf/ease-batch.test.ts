import { describe, it, expect, afterEach } from 'vitest';
import { emptyLists } from '../../../src/ml/cf/fit.ts';
import { easeFamily } from '../../../src/ml/cf/families/ease.ts';
import { csrFromPairs } from '../../../src/ml/cf/sparse.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';
import { setThreadCount, shared } from '../../../src/ml/numeric/threads.ts';
import { topByScore } from '../../helpers/top-k.ts';

// 9 customers x 37 items (not a multiple of 4: the row sum's unrolled loop has a tail)
const nItems = 37;
const rng = createRng(3);
const pairs = Array.from({ length: 60 }, () => [rng.int(9), rng.int(nItems)] as const);
const history = csrFromPairs(9, nItems, Int32Array.from(pairs, (p) => p[0]), Int32Array.from(pairs, (p) => p[1]));
// scores on a coarse grid, so ties between items occur and must break by the lower index
const values = Array.from({ length: nItems * nItems }, (_, c) => (c % (nItems + 1) === 0 ? 0 : Math.round(rng.normal() * 8) / 8));

/** Float64 reference: the sum of B's rows of the customer's items, their own items left out, best first, ties by index. */
function reference(u: number, k: number): { item: number; score: number }[] {
  const own = Array.from(history.colIdx.subarray(history.rowPtr[u]!, history.rowPtr[u + 1]!));
  const scores = Array.from({ length: nItems }, (_, i) => own.reduce((s, r) => s + values[r * nItems + i]!, 0));
  return topByScore(scores, own, k);
}

afterEach(() => setThreadCount(undefined));

describe('EASE batch top-N', () => {
  const users = Int32Array.from([8, 0, 3, 3, 5, 1, 7, 2, 4, 6]);
  const cases = [
    { threads: 1, memory: 'plain', weights: () => Float32Array.from(values) },
    { threads: 2, memory: 'plain', weights: () => Float32Array.from(values) },
    { threads: 2, memory: 'shared', weights: () => shared(Float32Array.from(values)) },
  ];

  it.each(cases)('matches a Float64 reference ($threads threads, B on $memory memory)', ({ threads, weights }) => {
    setThreadCount(threads);
    for (const k of [1, 5, nItems]) {
      const b = weights();
      const got = easeFamily.batchTopN!({ weights: b }, users, k, { nItems, history, popularity: new Float32Array(nItems), similarItems: emptyLists() });
      expect(got).toHaveLength(users.length);
      got.forEach((list, j) => {
        const want = reference(users[j]!, k);
        expect(list.map((s) => s.item)).toEqual(want.map((s) => s.item));
        list.forEach((s, r) => expect(s.score).toBeCloseTo(want[r]!.score, 5));
      });
    }
  });
});
