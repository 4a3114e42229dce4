import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { digamma, digammaRising, hyp2f1, lgamma, logAddExp, logRising, sigmoid } from '../../../src/ml/numeric/special.ts';

const EULER_GAMMA = 0.5772156649015329;

describe('lgamma', () => {
  it('hits known values', () => {
    expect(lgamma(1)).toBeCloseTo(0, 14);
    expect(lgamma(2)).toBeCloseTo(0, 14);
    expect(lgamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(lgamma(10)).toBeCloseTo(Math.log(362_880), 12);
    // Tiny arguments: Γ(ε) ≈ 1/ε − γ.
    expect(lgamma(1e-8)).toBeCloseTo(-Math.log(1e-8) - EULER_GAMMA * 1e-8, 12);
    // Large arguments: Stirling with two correction terms.
    const x = 1e6;
    expect(lgamma(x) / ((x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x))).toBeCloseTo(1, 14);
    expect(lgamma(0)).toBeNaN();
    expect(lgamma(-1)).toBeNaN();
  });

  it('satisfies ln Γ(x+1) = ln Γ(x) + ln x', () => {
    fc.assert(fc.property(fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (x) => Math.abs(lgamma(x + 1) - lgamma(x) - Math.log(x)) <= 1e-12 * Math.max(1, Math.abs(lgamma(x + 1)))));
  });
});

describe('digamma', () => {
  it('hits known values and the recurrence ψ(x+1) = ψ(x) + 1/x', () => {
    expect(digamma(1)).toBeCloseTo(-EULER_GAMMA, 13);
    expect(digamma(0.5)).toBeCloseTo(-EULER_GAMMA - 2 * Math.LN2, 13);
    fc.assert(fc.property(fc.double({ min: 1e-4, max: 1e5, noNaN: true }), (x) => Math.abs(digamma(x + 1) - digamma(x) - 1 / x) <= 1e-11 * Math.max(1, 1 / x)));
  });

  it('is the derivative of lgamma', () => {
    for (const x of [0.3, 1.7, 12.5, 300]) {
      const h = 1e-5 * x;
      expect(digamma(x)).toBeCloseTo((lgamma(x + h) - lgamma(x - h)) / (2 * h), 6);
    }
  });
});

describe('logRising / digammaRising', () => {
  it('equal the lgamma and digamma differences, and stay exact where those lose digits', () => {
    fc.assert(
      fc.property(fc.double({ min: 1e-3, max: 1e3, noNaN: true }), fc.integer({ min: 0, max: 300 }), (z, n) => {
        const direct = lgamma(z + n) - lgamma(z);
        return Math.abs(logRising(z, n) - direct) <= 1e-10 * Math.max(1, Math.abs(direct)) && Math.abs(digammaRising(z, n) - (digamma(z + n) - digamma(z))) <= 1e-9;
      }),
    );
    // (z)_1 = z even at z = 10^12, where lgamma(z + 1) − lgamma(z) keeps only ~4 digits.
    expect(logRising(1e12, 1)).toBe(Math.log(1e12));
    expect(logRising(3, 5000)).toBeCloseTo(lgamma(5003) - lgamma(3), 8);
  });
});

describe('logAddExp, sigmoid', () => {
  it('do not overflow or lose the small term', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logAddExp(-1000, -1001)).toBeCloseTo(-1000 + Math.log1p(Math.exp(-1)), 12);
    expect(logAddExp(Number.NEGATIVE_INFINITY, 3)).toBe(3);
    expect(sigmoid(-700)).toBeGreaterThan(0);
    expect(sigmoid(-700)).toBeCloseTo(Math.exp(-700), 310);
    expect(sigmoid(800)).toBe(1);
    expect(sigmoid(0)).toBe(0.5);
  });
});

describe('hyp2f1', () => {
  it('matches closed forms', () => {
    for (const z of [0, 0.1, 0.5, 0.9, 0.99]) {
      expect(hyp2f1(1, 1, 2, z)).toBeCloseTo(z === 0 ? 1 : -Math.log1p(-z) / z, 10);
      expect(hyp2f1(2.5, 1.3, 1.3, z)).toBeCloseTo((1 - z) ** -2.5, 8);
    }
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
  });
});
