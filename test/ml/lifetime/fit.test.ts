import { describe, expect, it } from 'vitest';
import { compressSummary, ConvergenceError, fitOnLogScale } from '../../../src/ml/lifetime/fit.ts';
import { fitBgNbd } from '../../../src/ml/lifetime/bg-nbd.ts';
import type { RepeatSummary } from '../../../src/ml/customers/summary.ts';

const summary = (rows: number[][], weight?: number[]): RepeatSummary => ({
  frequency: Float64Array.from(rows, (r) => r[0]!),
  recency: Float64Array.from(rows, (r) => r[1]!),
  T: Float64Array.from(rows, (r) => r[2]!),
  monetary: Float64Array.from(rows, (r) => r[3] ?? 0),
  ...(weight ? { weight: Float64Array.from(weight) } : {}),
  unit: 'days',
});

describe('compressSummary', () => {
  it('groups identical customers, adding their weights, and indexes distinct frequencies', () => {
    const data = summary([[0, 0, 10, 0], [2, 5, 10, 7], [0, -0, 10, 0], [2, 5, 10, 9], [1, 3, 10, 4]], [1, 2, 3, 4, 5]);
    const plain = compressSummary(data);
    expect(plain.weight.length).toBe(3);
    expect(Array.from(plain.weight)).toEqual([4, 6, 5]);
    expect(plain.totalWeight).toBe(15);
    expect(Array.from(plain.distinctX)).toEqual([0, 2, 1]);
    expect(Array.from(plain.weightOfX)).toEqual([4, 6, 5]);
    // With spend in the key the two x = 2 customers differ.
    const withSpend = compressSummary(data, true);
    expect(withSpend.weight.length).toBe(4);
    expect(Array.from(withSpend.monetary)).toEqual([0, 7, 9, 4]);
  });

  it('gives the same fit as the uncompressed data written out row by row', () => {
    const grouped = summary([[0, 0, 30], [1, 10, 30], [3, 25, 30], [2, 4, 20]], [50, 20, 10, 15]);
    const rows: number[][] = [];
    grouped.weight!.forEach((w, i) => {
      for (let k = 0; k < w; k++) rows.push([grouped.frequency[i]!, grouped.recency[i]!, grouped.T[i]!]);
    });
    const a = fitBgNbd(grouped);
    const b = fitBgNbd(summary(rows));
    expect(a.logLikelihood).toBeCloseTo(b.logLikelihood, 8);
    expect(a.params.r).toBeCloseTo(b.params.r, 6);
    expect(a.diagnostics.customers).toBe(95);
  });
});

describe('fitOnLogScale', () => {
  it('raises ConvergenceError with diagnostics only when no finite value exists', () => {
    let error: unknown;
    try {
      fitOnLogScale(() => Number.NaN, [0, 0], ['u', 'v']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConvergenceError);
    expect((error as ConvergenceError).code).toBe('convergence_failed');
    expect((error as ConvergenceError).diagnostics).toMatchObject({ start: [0, 0] });
  });

  it('reports parameters that run off to 0 or ∞', () => {
    // Decreasing in both coordinates without bound below: θ₀ → −∞ and θ₁ → +∞, flattening out.
    const fit = fitOnLogScale(
      (theta, grad) => {
        grad[0] = Math.exp(theta[0]!);
        grad[1] = -Math.exp(-theta[1]!);
        return Math.exp(theta[0]!) + Math.exp(-theta[1]!);
      },
      [0, 0],
      ['a', 'b'],
      { gradientTolerance: 1e-13 },
    );
    expect(fit.diagnostics.boundary).toEqual(['a→0', 'b→∞']);
  });
});
