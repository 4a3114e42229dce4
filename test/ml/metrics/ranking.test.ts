import { describe, it, expect } from 'vitest';
import { coverage, mapAtK, mergeTruthAndRanking, ndcgAtK, precisionAtK, rankingReport, recallAtK } from '../../../src/ml/metrics/ranking.ts';

describe('ranking metrics', () => {
  it('gives 1 for a perfect ranking', () => {
    const m = mergeTruthAndRanking({ relevant: [3, 1, 2], ranked: [1, 2, 3] }, 3);
    expect(precisionAtK(m, 3)).toBe(1);
    expect(recallAtK(m)).toBe(1);
    expect(ndcgAtK(m, 3)).toBeCloseTo(1, 12);
    expect(mapAtK(m)).toBe(1);
  });

  it('gives 0 when nothing relevant is ranked', () => {
    const m = mergeTruthAndRanking({ relevant: [7, 8], ranked: [1, 2, 3, 4] }, 4);
    expect([precisionAtK(m, 4), recallAtK(m), ndcgAtK(m, 4), mapAtK(m)]).toEqual([0, 0, 0, 0]);
  });

  it('matches a worked example (hits at ranks 1 and 3 of 4, three relevant items)', () => {
    const m = mergeTruthAndRanking({ relevant: [10, 30, 99], ranked: [10, 20, 30, 40] }, 4);
    expect(m.hitRanks).toEqual([1, 3]);
    expect(precisionAtK(m, 4)).toBe(0.5);
    expect(recallAtK(m)).toBeCloseTo(2 / 3, 12);
    // DCG = 1/ln 2 + 1/ln 4; ideal over min(3, 4) = 3 positions: 1/ln 2 + 1/ln 3 + 1/ln 4
    const dcg = 1 / Math.log(2) + 1 / Math.log(4);
    const idcg = 1 / Math.log(2) + 1 / Math.log(3) + 1 / Math.log(4);
    expect(ndcgAtK(m, 4)).toBeCloseTo(dcg / idcg, 12);
    expect(ndcgAtK(m, 4)).toBeCloseTo(0.7039180890341347, 12);
    // AP = (1/1 + 2/3) / 3 relevant
    expect(mapAtK(m)).toBeCloseTo((1 + 2 / 3) / 3, 12);
  });

  it('only counts hits inside the top k, and a repeated item once', () => {
    const m = mergeTruthAndRanking({ relevant: [5, 6], ranked: [5, 5, 1, 6] }, 3);
    expect(m.hitRanks).toEqual([1]);
    expect(precisionAtK(m, 3)).toBeCloseTo(1 / 3, 12);
  });

  it('divides precision by k even for short lists and MAP by all relevant items', () => {
    const m = mergeTruthAndRanking({ relevant: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], ranked: [1] }, 10);
    expect(precisionAtK(m, 10)).toBe(0.1);
    expect(mapAtK(m)).toBeCloseTo(1 / 12, 12);
    expect(ndcgAtK(m, 10)).toBeLessThan(1);
  });

  it('measures catalog coverage over the top k of all lists', () => {
    expect(coverage([[1, 2, 3], [3, 4, 9]], 2, 10)).toBe(0.4);
  });

  it('averages over users in a report', () => {
    const r = rankingReport(
      [
        { relevant: [1], ranked: [1, 2] },
        { relevant: [5], ranked: [1, 2] },
      ],
      2,
      4,
    );
    expect(r).toMatchObject({ users: 2, precision: 0.25, recall: 0.5, map: 0.5, coverage: 0.5 });
    expect(r.ndcg).toBeCloseTo(0.5, 12);
  });
});
