import { describe, it, expect } from 'vitest';
import { blendScores, normaliseScores, simplexGrid } from '../../../src/ml/cf/blend.ts';
import { topN } from '../../../src/ml/cf/top-n.ts';

describe('normaliseScores', () => {
  it('maps the mean to 0 and the maximum to 1', () => {
    const s = Float32Array.from([1, 2, 3, 6]); // mean 3, max 6
    normaliseScores(s);
    expect(Array.from(s)).toEqual([-2 / 3, -1 / 3, 0, 1].map((v) => Math.fround(v)));
  });

  it('makes a constant vector zeros (it ranks nothing)', () => {
    const s = Float32Array.from([4, 4, 4]);
    normaliseScores(s);
    expect(Array.from(s)).toEqual([0, 0, 0]);
  });
});

describe('blendScores', () => {
  // model A prefers item 0, model B item 2; their units differ by 1,000x
  const a = () => Float32Array.from([0.9, 0.5, 0.1, 0.1]);
  const b = () => Float32Array.from([100, 400, 1000, 100]);

  it('worked by hand: weights act on the normalised scores, not the raw units', () => {
    const out = new Float32Array(4);
    blendScores([a(), b()], [0.5, 0.5], out);
    // A: mean 0.4, max 0.9 -> [1, 0.2, -0.6, -0.6]; B: mean 400, max 1000 -> [-0.5, 0, 1, -0.5]
    const expected = [0.25, 0.1, 0.2, -0.55];
    out.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 6));
    expect(topN(out, 2, undefined).map((s) => s.item)).toEqual([0, 2]);
  });

  it('a weight of 1 on one model reproduces that model\'s ranking', () => {
    const out = new Float32Array(4);
    blendScores([a(), b()], [0, 1], out);
    expect(topN(out, 4, undefined).map((s) => s.item)).toEqual(topN(b(), 4, undefined).map((s) => s.item));
  });

  it('refuses mismatched weights', () => {
    expect(() => blendScores([a()], [0.5, 0.5], new Float32Array(4))).toThrow(RangeError);
  });
});

describe('simplexGrid', () => {
  it('lists every weight vector with the step that sums to 1', () => {
    expect(simplexGrid(2, 0.25)).toEqual([[0, 1], [0.25, 0.75], [0.5, 0.5], [0.75, 0.25], [1, 0]]);
    const three = simplexGrid(3, 0.5);
    expect(three).toHaveLength(6);
    for (const w of three) expect(w.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
  });
});
