import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  bgNbdLogLikelihood,
  expectedPurchases,
  expectedPurchasesUnconditional,
  fitBgNbd,
  medianTimeToNextPurchase,
  probabilityAlive,
  probabilityNoPurchase,
  probabilityOfNPurchases,
  scoreBgNbd,
  type BgNbdParams,
} from '../../../src/ml/lifetime/bg-nbd.ts';
import { readRepeatSummaryCsv } from '../../../src/import/repeat-summary-csv.ts';
import { readPurchaseLog } from '../../../src/import/read-purchase-log.ts';
import { summarizeCustomers } from '../../../src/ml/customers/summary.ts';
import { hyp2f1 } from '../../../src/ml/numeric/special.ts';
import { rocAuc } from '../../../src/ml/metrics/classification.ts';
import { ValidationError } from '../../../src/errors.ts';

/** Relative agreement to n significant digits. */
const sig = (actual: number, expected: number, digits = 4): void => {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(0.5 * 10 ** (1 - digits));
};

// lifetimes 0.11.3 on cdnow_customers_summary.csv (REFERENCE.md §1).
const REFERENCE: BgNbdParams = { r: 0.2425929, alpha: 4.4135323, a: 0.792886, b: 2.4257524 };

describe('fitBgNbd on CDNOW (weeks)', async () => {
  const cdnow = await readRepeatSummaryCsv('data/cdnow/cdnow_customers_summary.csv', 'weeks');
  const fit = fitBgNbd(cdnow);

  it('matches the reference fit to 4 significant digits', () => {
    expect(cdnow.frequency.length).toBe(2357);
    sig(fit.params.r, REFERENCE.r);
    sig(fit.params.alpha, REFERENCE.alpha);
    sig(fit.params.a, REFERENCE.a);
    sig(fit.params.b, REFERENCE.b);
    expect(fit.logLikelihood).toBeCloseTo(-9582.4256, 3);
    expect(fit.converged).toBe(true);
    expect(fit.diagnostics.boundary).toEqual([]);
    expect(fit.unit).toBe('weeks');
    expect(Object.isFrozen(fit) && Object.isFrozen(fit.params)).toBe(true);
  });

  it('gives the reference per-customer values', () => {
    const p = fit.params;
    sig(probabilityAlive(p, 2, 30.43, 38.86), 0.7266091, 6);
    sig(expectedPurchases(p, 39, 2, 30.43, 38.86), 1.2259104, 6);
    sig(probabilityAlive(p, 1, 1.71, 38.86), 0.2122274, 6);
    sig(expectedPurchases(p, 39, 1, 1.71, 38.86), 0.2032506, 6);
    expect(probabilityAlive(p, 0, 0, 38.86)).toBe(1);
    sig(expectedPurchases(p, 39, 0, 0, 38.86), 0.1947809, 6);
  });

  it('gives the reference unconditional expectations (and Hardie’s spreadsheet values)', () => {
    const p = fit.params;
    sig(expectedPurchasesUnconditional(p, 39), 1.1950162, 6);
    sig(expectedPurchasesUnconditional(p, 78), 1.8579717, 6);
    const hardie: [number, number][] = [[0.1429, 0.0078], [1, 0.0532], [3, 0.1506], [31.8571, 1.0405], [32, 1.0437], [78, 1.8576]];
    for (const [t, v] of hardie) expect(expectedPurchasesUnconditional(p, t)).toBeCloseTo(v, 3);
  });

  it('has P(X(t) = n) summing to 1 with mean E[X(t)]', () => {
    let total = 0;
    let mean = 0;
    for (let n = 0; n < 400; n++) {
      const q = probabilityOfNPurchases(fit.params, 39, n);
      expect(q).toBeGreaterThanOrEqual(0);
      total += q;
      mean += n * q;
    }
    expect(total).toBeCloseTo(1, 10);
    expect(mean).toBeCloseTo(expectedPurchasesUnconditional(fit.params, 39), 8);
  });

  it('reports the log-likelihood of given parameters', () => {
    expect(bgNbdLogLikelihood(REFERENCE, cdnow)).toBeCloseTo(-9582.4256, 3);
  });

  it('shrinks the parameters with an L2 penalizer and still reports the plain log-likelihood', () => {
    const penalized = fitBgNbd(cdnow, { penalizer: 0.1 });
    expect(penalized.params.alpha).toBeLessThan(fit.params.alpha);
    expect(penalized.logLikelihood).toBeLessThan(fit.logLikelihood);
    expect(penalized.diagnostics.penalizer).toBe(0.1);
  });

  it('predicts the holdout weeks 40–78 as the published model does (1,653 repeat purchases)', () => {
    let total = 0;
    for (let i = 0; i < cdnow.frequency.length; i++) {
      total += expectedPurchases(fit.params, 39, cdnow.frequency[i]!, cdnow.recency[i]!, cdnow.T[i]!);
    }
    expect(total).toBeCloseTo(1653.4, 0);
  });
});

describe('fitBgNbd on Online Retail (days, cutoff 2011-09-09)', async () => {
  const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');
  const cutoff = Date.UTC(2011, 8, 9);
  const summary = summarizeCustomers(log, cutoff, 'days');
  const fit = fitBgNbd(summary);

  it('returns a usable fit at the dropout → 0 boundary, with a diagnostic', () => {
    expect(fit.diagnostics.boundary).toContain('dropout→0');
    expect(fit.diagnostics.message).toMatch(/dropout/);
    // lifetimes reaches −37181.32 here (r 0.7228, α 66.009) before failing to converge.
    expect(fit.logLikelihood).toBeGreaterThan(-37181.33);
    sig(fit.params.r, 0.7228, 3);
    sig(fit.params.alpha, 66.009, 3);
  });

  it('ranks churners by P(no purchase in the next 92 days) as well as the reference (ROC AUC 0.7328)', () => {
    const bought = new Uint8Array(log.customerIds.length);
    for (let i = 0; i < log.time.length; i++) if (log.time[i]! >= cutoff) bought[log.customer[i]!] = 1;
    const churned = Float64Array.from(summary.customer, (c) => 1 - bought[c]!);
    const scores = scoreBgNbd(fit.params, summary, 92);
    expect(rocAuc(churned, scores.probabilityNoPurchase)).toBeCloseTo(0.7328, 3);
    // 1 − P(alive) is nearly constant at this boundary and ranks worse than chance, as REFERENCE.md says.
    expect(rocAuc(churned, scores.probabilityAlive.map((p) => 1 - p))).toBeLessThan(0.52);
  });
});

describe('BG/NBD properties', () => {
  const params = fc.record({
    r: fc.double({ min: 0.01, max: 20, noNaN: true }),
    alpha: fc.double({ min: 0.01, max: 500, noNaN: true }),
    a: fc.double({ min: 1e-6, max: 20, noNaN: true }),
    b: fc.double({ min: 1e-3, max: 1e4, noNaN: true }),
  });
  const history = fc
    .record({ x: fc.integer({ min: 0, max: 200 }), T: fc.double({ min: 0, max: 400, noNaN: true }), share: fc.double({ min: 0, max: 1, noNaN: true }) })
    .map(({ x, T, share }) => ({ x, T, tx: x === 0 ? 0 : share * T }));

  it('keeps every probability in [0, 1] and expectations finite and ≥ 0', () => {
    fc.assert(
      fc.property(params, history, fc.double({ min: 0, max: 400, noNaN: true }), (p, h, t) => {
        const alive = probabilityAlive(p, h.x, h.tx, h.T);
        const none = probabilityNoPurchase(p, t, h.x, h.tx, h.T);
        const expected = expectedPurchases(p, t, h.x, h.tx, h.T);
        return alive >= 0 && alive <= 1 && none >= 0 && none <= 1 && Number.isFinite(expected) && expected >= -1e-9;
      }),
    );
  });

  it('gives P(alive) = 1 exactly when x = 0, and non-increasing in T with x and t_x fixed', () => {
    fc.assert(
      fc.property(params, history, fc.double({ min: 0, max: 100, noNaN: true }), (p, h, dT) => {
        if (h.x === 0) return probabilityAlive(p, 0, 0, h.T) === 1 && probabilityAlive(p, 0, 0, h.T + dT) === 1;
        return probabilityAlive(p, h.x, h.tx, h.T + dT) <= probabilityAlive(p, h.x, h.tx, h.T);
      }),
    );
  });

  it('computes E[Y(t)] as FHL eq. 10 written with ₂F₁ directly (where that form is accurate)', () => {
    fc.assert(
      fc.property(params, history, fc.double({ min: 0.1, max: 100, noNaN: true }), (p, h, t) => {
        const { r, alpha, a, b } = p;
        const z = t / (alpha + h.T + t);
        if (Math.abs(a - 1) < 0.1 || z > 0.9) return true;
        const c = a + b + h.x - 1;
        const direct =
          (c / (a - 1)) * (1 - ((alpha + h.T) / (alpha + h.T + t)) ** (r + h.x) * hyp2f1(r + h.x, b + h.x, c, z)) * probabilityAlive(p, h.x, h.tx, h.T);
        const ours = expectedPurchases(p, t, h.x, h.tx, h.T);
        return Math.abs(ours - direct) <= 1e-7 * Math.max(1, Math.abs(direct));
      }),
      { numRuns: 300 },
    );
  });

  it('has the no-dropout limit: E[Y(t)] → (r + x)·t/(α + T) as a → 0', () => {
    const p = { r: 0.7, alpha: 66, a: 1e-9, b: 1e5 };
    expect(expectedPurchases(p, 92, 5, 200, 250)).toBeCloseTo((0.7 + 5) * 92 / (66 + 250), 6);
    expect(medianTimeToNextPurchase(p, 5, 250)).toBeCloseTo((66 + 250) * (2 ** (1 / 5.7) - 1), 10);
  });

  it('rejects garbage with a clear error instead of NaN', () => {
    const one = (frequency: number, recency: number, T: number) => ({
      frequency: Float64Array.of(frequency), recency: Float64Array.of(recency), T: Float64Array.of(T), unit: 'days' as const,
    });
    expect(() => fitBgNbd(one(1, -1, 5))).toThrow(/negative recency/);
    expect(() => fitBgNbd(one(1, 6, 5))).toThrow(/recency 6 exceeds T 5/);
    expect(() => fitBgNbd(one(0, 0, -2))).toThrow(/negative T -2/);
    expect(() => fitBgNbd(one(0, 2, 5))).toThrow(/frequency 0 with recency 2/);
    expect(() => fitBgNbd(one(1.5, 2, 5))).toThrow(/whole number/);
    expect(() => fitBgNbd(one(Number.NaN, 2, 5))).toThrow(/non-finite/);
    expect(() => fitBgNbd(one(1, 2, 5))).not.toThrow();
    const empty = { frequency: new Float64Array(0), recency: new Float64Array(0), T: new Float64Array(0), unit: 'days' as const };
    expect(() => fitBgNbd(empty)).toThrow(ValidationError);
    expect(() => fitBgNbd(empty)).toThrow(/empty data/);
    const ragged = { frequency: Float64Array.of(1, 2), recency: Float64Array.of(1), T: Float64Array.of(3, 4), unit: 'days' as const };
    expect(() => fitBgNbd(ragged)).toThrow(/recency has 1 entries but frequency has 2/);
  });

  it('says so when nobody made a repeat purchase, instead of failing', () => {
    const none = { frequency: Float64Array.of(0, 0, 0), recency: Float64Array.of(0, 0, 0), T: Float64Array.of(10, 20, 5), unit: 'days' as const };
    const fit = fitBgNbd(none);
    expect(fit.diagnostics.boundary).toContain('no repeat purchases');
    expect(fit.diagnostics.message).toMatch(/no customer made a repeat purchase/);
    expect(fit.logLikelihood).toBeCloseTo(0, 5);
  });

  it('fits a single customer without NaN', () => {
    const fit = fitBgNbd({ frequency: Float64Array.of(3), recency: Float64Array.of(20), T: Float64Array.of(30), unit: 'days' });
    expect(Number.isFinite(fit.logLikelihood)).toBe(true);
    for (const v of Object.values(fit.params)) expect(Number.isFinite(v)).toBe(true);
  });
});
