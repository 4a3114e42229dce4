import { describe, it, expect } from 'vitest';
import { calibrate, fitPlattScaling, shiftToPopulation, sigmoid } from '../../../src/ml/churn/calibration.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';

describe('fitPlattScaling', () => {
  it('recovers the slope and intercept that generated the labels', () => {
    const rng = createRng(7);
    const n = 20_000;
    const z = new Float32Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      z[i] = 3 * rng.normal();
      y[i] = rng.next() < sigmoid(0.5 * z[i]! - 0.8) ? 1 : 0;
    }
    const s = fitPlattScaling(z, y);
    expect(s.slope).toBeGreaterThan(0.45);
    expect(s.slope).toBeLessThan(0.55);
    expect(s.intercept).toBeGreaterThan(-0.9);
    expect(s.intercept).toBeLessThan(-0.7);
  });

  it('stays finite on perfectly separated data thanks to target smoothing', () => {
    const s = fitPlattScaling([-2, -1, 1, 2], [0, 0, 1, 1]);
    expect(Number.isFinite(s.slope) && Number.isFinite(s.intercept)).toBe(true);
    const p = calibrate(s, Float32Array.from([-2, 2]));
    expect(p[0]).toBeLessThan(0.5);
    expect(p[1]).toBeGreaterThan(0.5);
  });

  it('rejects empty or mismatched input', () => {
    expect(() => fitPlattScaling([], [])).toThrow(/non-empty/);
    expect(() => fitPlattScaling([1, 2], [1])).toThrow(/equal/);
  });
});

describe('shiftToPopulation (Saerens, Latinne & Decaestecker 2002)', () => {
  const identity = { slope: 1, intercept: 0 };
  const logit = (p: number) => Math.log(p / (1 - p));

  it('leaves a population whose mean probability is the calibrated rate where it is', () => {
    const s = shiftToPopulation(identity, Float32Array.from([0.9, 0.1, 0.7, 0.3].map(logit)), 0.5);
    expect(s.populationRate).toBeCloseTo(0.5, 6);
    expect(s.scaling.intercept).toBeCloseTo(0, 5);
    expect(s.scaling.slope).toBe(1);
  });

  it('ends at the fixed point: the shifted probabilities average to the estimated rate', () => {
    // p = 0.8 and 0.4 calibrated at 0.5: π = ½·[0.8π / (0.8π + 0.2(1 − π)) + 0.4π / (0.4π + 0.6(1 − π))]
    const s = shiftToPopulation(identity, Float32Array.from([0.8, 0.4].map(logit)), 0.5);
    const shifted = calibrate(s.scaling, Float32Array.from([0.8, 0.4].map(logit)));
    const pi = s.populationRate;
    expect((shifted[0]! + shifted[1]!) / 2).toBeCloseTo(pi, 5);
    expect(shifted[0]).toBeCloseTo((0.8 * pi) / (0.8 * pi + 0.2 * (1 - pi)), 5);
    expect(pi).toBeGreaterThan(0.6);
  });

  it('recovers the churn rate of a population drawn with another base rate', () => {
    // z | churn ~ N(1, 1), z | stay ~ N(−1, 1): σ(2z) is exactly calibrated at rate 0.5
    const rng = createRng(11);
    const n = 20_000;
    const z = Float32Array.from({ length: n }, (_, i) => (i < 0.2 * n ? 1 : -1) + rng.normal());
    const s = shiftToPopulation({ slope: 2, intercept: 0 }, z, 0.5);
    expect(s.populationRate).toBeGreaterThan(0.19);
    expect(s.populationRate).toBeLessThan(0.21);
    expect(s.scaling.intercept).toBeCloseTo(logit(s.populationRate), 6);
    // a shift of the intercept only: the order of the customers is unchanged
    const before = calibrate({ slope: 2, intercept: 0 }, z);
    const after = calibrate(s.scaling, z);
    for (let i = 1; i < 200; i++) expect(Math.sign(after[i]! - after[i - 1]!)).toBe(Math.sign(before[i]! - before[i - 1]!));
  });

  it('rejects a calibrated rate outside (0, 1) and an empty population', () => {
    expect(() => shiftToPopulation(identity, Float32Array.of(0), 0)).toThrow(RangeError);
    expect(() => shiftToPopulation(identity, new Float32Array(0), 0.4)).toThrow(RangeError);
  });
});
