import { describe, it, expect } from 'vitest';
import { calibrate, fitPlattScaling, sigmoid } from '../../../src/ml/churn/calibration.ts';
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
