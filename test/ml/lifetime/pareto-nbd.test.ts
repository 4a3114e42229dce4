import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  fitParetoNbd,
  paretoExpectedPurchases,
  paretoExpectedPurchasesUnconditional,
  paretoNbdLogLikelihood,
  paretoProbabilityAlive,
  type ParetoNbdParams,
} from '../../../src/ml/lifetime/pareto-nbd.ts';
import { readRepeatSummaryCsv } from '../../../src/import/repeat-summary-csv.ts';

const sig4 = (actual: number, expected: number): void => expect(Math.abs(actual / expected - 1)).toBeLessThan(5e-4);

/**
 * P(alive) straight from the model's definition, by quadrature instead of ₂F₁:
 * alive = (α+T)^−(r+x) (β+T)^−s, left = s ∫_{t_x}^{T} (α+τ)^−(r+x) (β+τ)^−(s+1) dτ (composite Simpson).
 */
function aliveByQuadrature({ r, alpha, s, beta }: ParetoNbdParams, x: number, tx: number, T: number): number {
  const f = (tau: number): number => (alpha + tau) ** -(r + x) * (beta + tau) ** -(s + 1);
  const n = 20_000;
  const h = (T - tx) / n;
  let integral = f(tx) + f(T);
  for (let k = 1; k < n; k++) integral += (k % 2 === 1 ? 4 : 2) * f(tx + k * h);
  integral *= h / 3;
  const alive = (alpha + T) ** -(r + x) * (beta + T) ** -s;
  return alive / (alive + s * integral);
}

describe('fitParetoNbd on CDNOW (weeks)', async () => {
  const cdnow = await readRepeatSummaryCsv('data/cdnow/cdnow_customers_summary.csv', 'weeks');
  const fit = fitParetoNbd(cdnow);

  it('matches the reference fit (lifetimes: r 0.55328, α 10.5778, s 0.60617, β 11.6669, LL −9594.974)', () => {
    sig4(fit.params.r, 0.55328);
    sig4(fit.params.alpha, 10.5778);
    sig4(fit.params.s, 0.60617);
    sig4(fit.params.beta, 11.6669);
    expect(fit.logLikelihood).toBeCloseTo(-9594.974, 2);
    expect(fit.converged).toBe(true);
    expect(paretoNbdLogLikelihood({ r: 0.55328, alpha: 10.5778, s: 0.60617, beta: 11.6669 }, cdnow)).toBeCloseTo(-9594.974, 2);
  });

  it('has P(alive) equal to a direct quadrature of the model, on both sides of α = β', () => {
    const cases: [ParetoNbdParams, number, number, number][] = [
      [fit.params, 2, 30.43, 38.86],
      [fit.params, 1, 1.71, 38.86],
      [fit.params, 0, 0, 38.86],
      [{ r: 0.8, alpha: 20, s: 0.4, beta: 3 }, 7, 12, 40],
      [{ r: 2, alpha: 1.5, s: 1.3, beta: 30 }, 15, 5, 50],
      // ₂F₁'s argument beyond 0.95: the quadrature path (β ≫ α as when nobody leaves, and α ≫ β).
      [{ r: 0.7, alpha: 66, s: 1e-3, beta: 1e5 }, 5, 100, 250],
      [{ r: 0.7, alpha: 66, s: 1e-3, beta: 1e5 }, 0, 0, 250],
      [{ r: 0.3, alpha: 5000, s: 0.8, beta: 2 }, 40, 30, 39],
      [{ r: 0.3, alpha: 500, s: 0.8, beta: 2 }, 1, 0.5, 39],
    ];
    for (const [p, x, tx, T] of cases) expect(paretoProbabilityAlive(p, x, tx, T)).toBeCloseTo(aliveByQuadrature(p, x, tx, T), 8);
  });

  it('keeps probabilities in [0, 1] and expectations consistent', () => {
    const params = fc.record({
      r: fc.double({ min: 0.05, max: 5, noNaN: true }),
      alpha: fc.double({ min: 0.5, max: 100, noNaN: true }),
      s: fc.double({ min: 0.05, max: 5, noNaN: true }),
      beta: fc.double({ min: 0.5, max: 100, noNaN: true }),
    });
    fc.assert(
      fc.property(params, fc.integer({ min: 0, max: 50 }), fc.double({ min: 0.1, max: 100, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (p, x, T, share) => {
        const tx = x === 0 ? 0 : share * T;
        const alive = paretoProbabilityAlive(p, x, tx, T);
        const e = paretoExpectedPurchases(p, 10, x, tx, T);
        return alive >= 0 && alive <= 1 + 1e-12 && Number.isFinite(e) && e >= 0;
      }),
      { numRuns: 200 },
    );
    // A customer just acquired (x = 0, T = 0) expects what the population does.
    expect(paretoExpectedPurchases(fit.params, 39, 0, 0, 0)).toBeCloseTo(paretoExpectedPurchasesUnconditional(fit.params, 39), 10);
  });

  it('rejects garbage like BG/NBD does', () => {
    const bad = { frequency: Float64Array.of(2), recency: Float64Array.of(9), T: Float64Array.of(5), unit: 'weeks' as const };
    expect(() => fitParetoNbd(bad)).toThrow(/recency 9 exceeds T 5/);
  });
});
