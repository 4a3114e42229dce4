import { describe, expect, it } from 'vitest';
import { assignArms, assignmentHash } from '../../src/services/campaigns-assignment.ts';

describe('campaign arm assignment', () => {
  const members = Array.from({ length: 10_007 }, (_, k) => ({ customerId: `cust-${k}`, stratum: ['high', 'medium', 'low', 'unscored'][k % 7 < 3 ? 0 : k % 7 < 5 ? 1 : k % 7 < 6 ? 2 : 3]! }));

  it('gives every arm its share of every stratum, exact to one member', () => {
    for (const fractions of [[0.2, 0.4, 0.4], [0.1, 0.9], [1 / 3, 1 / 3, 1 / 3], [0.05, 0.15, 0.3, 0.5]]) {
      const arms = assignArms(members, fractions, 'seed-1');
      for (const stratum of ['high', 'medium', 'low', 'unscored']) {
        const idx = members.flatMap((m, k) => (m.stratum === stratum ? [k] : []));
        fractions.forEach((f, arm) => {
          const n = idx.filter((k) => arms[k] === arm).length;
          expect(Math.abs(n - idx.length * f)).toBeLessThanOrEqual(1);
        });
      }
    }
  });

  it('is reproducible for a seed, different across seeds, and independent of the input order within a stratum', () => {
    const a = assignArms(members, [0.2, 0.8], 'seed-1');
    expect(assignArms(members, [0.2, 0.8], 'seed-1')).toEqual(a);
    const b = assignArms(members, [0.2, 0.8], 'seed-2');
    const changed = a.filter((arm, k) => arm !== b[k]).length / a.length;
    // two independent 20/80 draws disagree for 2 × 0.2 × 0.8 = 32% of members
    expect(changed).toBeGreaterThan(0.28);
    expect(changed).toBeLessThan(0.36);
    const reversed = [...members].reverse();
    const r = assignArms(reversed, [0.2, 0.8], 'seed-1');
    expect(Array.from(r).reverse()).toEqual(Array.from(a));
  });

  it('hashes to uniform numbers in [0, 1)', () => {
    const bins = new Array<number>(10).fill(0);
    for (let k = 0; k < 20_000; k++) {
      const u = assignmentHash('s', String(k));
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
      bins[Math.floor(u * 10)]!++;
    }
    // chi-square with 9 degrees of freedom: 27.9 is its 0.999 quantile
    const chi2 = bins.reduce((s, n) => s + (n - 2000) ** 2 / 2000, 0);
    expect(chi2).toBeLessThan(27.9);
  });
});
