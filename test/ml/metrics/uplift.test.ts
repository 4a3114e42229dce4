import { describe, expect, it } from 'vitest';
import { compareToControl, newcombeInterval, sampleSummary, twoProportionPValue, welchInterval, wilsonInterval, type ArmOutcome } from '../../../src/ml/metrics/uplift.ts';
import { createRng, type Rng } from '../../../src/ml/numeric/rng.ts';

const round4 = (xs: readonly number[]) => xs.map((x) => Number(x.toFixed(4)));

describe('campaign uplift statistics', () => {
  it('reproduces the Wilson intervals of Newcombe (1998a), Table I', () => {
    expect(round4(wilsonInterval(81, 263))).toEqual([0.2553, 0.3662]);
    expect(round4(wilsonInterval(15, 148))).toEqual([0.0624, 0.1605]);
    expect(round4(wilsonInterval(0, 20))).toEqual([0, 0.1611]);
    expect(round4(wilsonInterval(1, 29))).toEqual([0.0061, 0.1718]);
    expect(round4(wilsonInterval(29, 29))).toEqual([0.883, 1]);
  });

  it('reproduces the hybrid score intervals of Newcombe (1998b), Table II (method 10)', () => {
    const examples: [number, number, number, number, number, number][] = [
      [56, 70, 48, 80, 0.0524, 0.3339],
      [9, 10, 3, 10, 0.1705, 0.809],
      [6, 7, 2, 7, 0.0582, 0.8062],
      [5, 56, 0, 29, -0.0381, 0.1926],
      [0, 10, 0, 20, -0.1611, 0.2775],
      [0, 10, 0, 10, -0.2775, 0.2775],
      [10, 10, 0, 20, 0.6791, 1],
      [10, 10, 0, 10, 0.6075, 1],
    ];
    for (const [x1, n1, x2, n2, lo, hi] of examples) expect(round4(newcombeInterval(x1, n1, x2, n2))).toEqual([lo, hi]);
  });

  it('computes the pooled z-test p-value and the Welch interval worked by hand', () => {
    // 56/70 vs 48/80: p̂ = 104/150, z = 0.2 / √(p̂(1 − p̂)(1/70 + 1/80)) = 2.6506, p = 2Φ(−z)
    expect(twoProportionPValue(56, 70, 48, 80)).toBeCloseTo(0.0080451, 6);
    expect(twoProportionPValue(0, 10, 0, 10)).toBe(1);
    // two small samples: means 20.2 and 17.8857, variances 9.48/5 = 1.896 and 15.5486/6 = 2.591429 (by hand), df 10.998
    const a = sampleSummary([19.1, 20.3, 18.4, 22.0, 21.5, 19.9]);
    const b = sampleSummary([17.2, 18.8, 16.1, 19.5, 20.0, 15.9, 17.7]);
    expect(a.mean).toBeCloseTo(20.2, 12);
    expect(a.variance).toBeCloseTo(1.896, 12);
    const w = welchInterval(a, b)!;
    expect(w.df).toBeCloseTo(10.998425, 5);
    expect(w.difference).toBeCloseTo(2.3142857, 6);
    expect(w.interval[0]).toBeCloseTo(0.491014, 5);
    expect(w.interval[1]).toBeCloseTo(4.137557, 5);
    expect(welchInterval({ n: 1, mean: 3, variance: 0 }, b)).toBeUndefined();
  });

  it('puts incremental revenue at the revenue-per-member difference times the arm\'s members', () => {
    const arm: ArmOutcome = { members: 400, purchasers: 60, revenue: { n: 400, mean: 5, variance: 100 } };
    const control: ArmOutcome = { members: 100, purchasers: 10, revenue: { n: 100, mean: 3, variance: 80 } };
    const v = compareToControl(arm, control);
    expect(v.conversionDiff).toBeCloseTo(0.05, 12);
    expect(v.incrementalRevenue).toBeCloseTo(800, 9);
    expect(v.conversionDiffCi[0]).toBeLessThan(0.05);
    expect(v.conversionDiffCi[1]).toBeGreaterThan(0.05);
  });

  // A seeded synthetic shop with known effects: control converts 10%, personalized 14%, popular
  // 12% within the window; a purchaser spends a log-normal amount (mean e^{3.5 + 0.6²/2}).
  const TRUTH = { control: 0.1, personalized: 0.14, popular: 0.12 };
  const SPEND_MU = 3.5;
  const SPEND_SIGMA = 0.6;
  const meanSpend = Math.exp(SPEND_MU + SPEND_SIGMA ** 2 / 2);

  function simulateArm(rng: Rng, members: number, rate: number): ArmOutcome {
    const revenue = new Float64Array(members);
    let purchasers = 0;
    for (let i = 0; i < members; i++) {
      if (rng.next() < rate) {
        purchasers++;
        revenue[i] = Math.exp(SPEND_MU + SPEND_SIGMA * rng.normal());
      }
    }
    return { members, purchasers, revenue: sampleSummary(revenue) };
  }

  it('recovers the true differences, and its 95% intervals cover them 92-98% of 200 seeded repetitions', () => {
    const covered = { conversion: { personalized: 0, popular: 0 }, revenue: { personalized: 0, popular: 0 } };
    const repetitions = 200;
    for (let rep = 0; rep < repetitions; rep++) {
      const rng = createRng(1000 + rep);
      // 5,000 members: 20% control, 40% / 40% the two arms
      const control = simulateArm(rng, 1000, TRUTH.control);
      for (const arm of ['personalized', 'popular'] as const) {
        const v = compareToControl(simulateArm(rng, 2000, TRUTH[arm]), control);
        const trueDiff = TRUTH[arm] - TRUTH.control;
        const trueRevenueDiff = trueDiff * meanSpend;
        if (v.conversionDiffCi[0] <= trueDiff && trueDiff <= v.conversionDiffCi[1]) covered.conversion[arm]++;
        const ci = v.revenuePerMemberDiffCi!;
        if (ci[0] <= trueRevenueDiff && trueRevenueDiff <= ci[1]) covered.revenue[arm]++;
      }
    }
    for (const kind of ['conversion', 'revenue'] as const) {
      for (const arm of ['personalized', 'popular'] as const) {
        const rate = covered[kind][arm] / repetitions;
        expect(rate, `${kind} ${arm}`).toBeGreaterThanOrEqual(0.92);
        expect(rate, `${kind} ${arm}`).toBeLessThanOrEqual(0.98);
      }
    }
  });
});
