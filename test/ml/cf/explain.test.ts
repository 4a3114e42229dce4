import { describe, it, expect } from 'vitest';
import { strongestContribution } from '../../../src/ml/cf/explain.ts';
import type { ModelScorer } from '../../../src/ml/cf/registry.ts';

describe('strongestContribution', () => {
  it('names the bought item with the largest EASE weight towards the item', () => {
    // 3 items; B[j, i] row-major
    const weights = Float32Array.from([0, 0.2, 0.5, 0.7, 0, 0.1, 0.3, -0.4, 0]);
    const scorer: ModelScorer = { algorithm: 'ease', weights };
    expect(strongestContribution(scorer, 3, [0, 1], 2)).toEqual({ item: 0, weight: 0.5 });
    expect(strongestContribution(scorer, 3, [2], 1)).toBeUndefined(); // only a negative term
  });

  it('reads item-kNN neighbour lists, and gives no reason for ALS', () => {
    const neighbours = { rows: 3, cols: 3, rowPtr: Int32Array.from([0, 1, 2, 2]), colIdx: Int32Array.from([2, 2]), values: Float32Array.from([0.25, 0.75]) };
    expect(strongestContribution({ algorithm: 'knn', neighbours, prior: 0 }, 3, [0, 1], 2)).toEqual({ item: 1, weight: 0.75 });
    const als: ModelScorer = { algorithm: 'als', factors: 1, userFactors: new Float32Array(1), itemFactors: new Float32Array(3), foldIn: {} as never };
    expect(strongestContribution(als, 3, [0], 2)).toBeUndefined();
  });
});
