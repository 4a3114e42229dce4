// Customer lifetime value from BG/NBD (how many purchases) × Gamma-Gamma (how much per purchase),
// discounted per period, as in Fader, Hardie & Lee (2005b) and lifetimes' customer_lifetime_value,
// but with the horizon always given in days and converted with the fit's own time unit: lifetimes
// reads its horizon in days whatever unit T is in, which multiplies CLV by ~4 for week-based fits.
import { ValidationError } from '../../errors.ts';
import { expectedPurchases, medianTimeToNextPurchase, probabilityAlive, type BgNbdFit } from './bg-nbd.ts';
import { expectedAverageValue, type GammaGammaFit } from './gamma-gamma.ts';
import { checkRepeatSummary, UNIT_DAYS, type RepeatSummary } from '../customers/summary.ts';
import { compressSummary } from './fit.ts';
import { DAY_MS } from '../customers/purchase-log.ts';

export interface ClvOptions {
  /** Number of discounting periods in the horizon. */
  periods: number;
  /** Length of one period in days (default a month, 365/12 days). */
  periodDays: number;
  /** Discount rate per period (default 0.01 a month, ~12.7% a year). */
  discountRate: number;
}

export const DEFAULT_CLV_OPTIONS: ClvOptions = { periods: 12, periodDays: 365 / 12, discountRate: 0.01 };

/**
 * One customer's CLV: discounted expected purchases over the horizon (BG/NBD) × expected spend per
 * purchase (Gamma-Gamma). x, t_x, T are in the BG/NBD fit's unit; the options are in days.
 */
export function customerLifetimeValue(
  purchases: BgNbdFit,
  spend: GammaGammaFit,
  customer: { x: number; tx: number; T: number; monetary: number },
  options: Partial<ClvOptions> = {},
): number {
  const o = checkClvOptions(options);
  const { x, tx, T, monetary } = customer;
  return discountedPurchases(purchases, x, tx, T, o) * expectedAverageValue(spend.params, x, monetary);
}

/**
 * Σ_{k=1..K} (E[Y(kΔ)] − E[Y((k−1)Δ)]) / (1 + d)^k: expected purchases in each period (Δ =
 * periodDays in the fit's unit), discounted at the end of the period. Times expected spend per
 * purchase this is the CLV, in the spend data's money units.
 */
function discountedPurchases(purchases: Pick<BgNbdFit, 'params' | 'unit'>, x: number, tx: number, T: number, o: ClvOptions): number {
  const step = o.periodDays / UNIT_DAYS[purchases.unit];
  let total = 0;
  let before = 0;
  for (let k = 1; k <= o.periods; k++) {
    const upTo = expectedPurchases(purchases.params, k * step, x, tx, T);
    total += (upTo - before) / (1 + o.discountRate) ** k;
    before = upTo;
  }
  return total;
}

export interface CustomerValue {
  /** P(alive) at the cutoff. */
  readonly probabilityAlive: Float64Array;
  /** Expected repeat purchases over the whole CLV horizon. */
  readonly expectedPurchases: Float64Array;
  /** Expected value of one future purchase (Gamma-Gamma). */
  readonly expectedAverageValue: Float64Array;
  readonly clv: Float64Array;
  /**
   * Expected date of the next order (ms UTC): the cutoff plus the median wait to the next purchase
   * of a customer who is still alive. Read it with P(alive): for a likely-gone customer it is moot.
   */
  readonly expectedNextOrderAt: Float64Array;
}

/**
 * Every customer's value at once; `cutoff` (ms UTC) is the moment T is measured to. The purchase
 * part is computed once per distinct (x, t_x, T), the spend part per customer.
 */
export function customerValues(
  purchases: Pick<BgNbdFit, 'params' | 'unit'>,
  spend: Pick<GammaGammaFit, 'params'>,
  summary: RepeatSummary & { monetary: Float64Array },
  cutoff: number,
  options: Partial<ClvOptions> = {},
): CustomerValue {
  const o = checkClvOptions(options);
  checkRepeatSummary(summary, { monetary: true });
  if (summary.unit !== purchases.unit) throw new ValidationError(`the summary is in ${summary.unit} but the BG/NBD fit is in ${purchases.unit}`);
  const n = summary.frequency.length;
  const unitMs = UNIT_DAYS[purchases.unit] * DAY_MS;
  const horizon = (o.periods * o.periodDays) / UNIT_DAYS[purchases.unit];
  const rows = compressSummary(summary);
  const m = rows.weight.length;
  const perRow = { alive: new Float64Array(m), expected: new Float64Array(m), discounted: new Float64Array(m), next: new Float64Array(m) };
  for (let j = 0; j < m; j++) {
    const x = rows.frequency[j]!;
    const tx = rows.recency[j]!;
    const T = rows.T[j]!;
    perRow.alive[j] = probabilityAlive(purchases.params, x, tx, T);
    perRow.expected[j] = expectedPurchases(purchases.params, horizon, x, tx, T);
    perRow.discounted[j] = discountedPurchases(purchases, x, tx, T, o);
    perRow.next[j] = cutoff + medianTimeToNextPurchase(purchases.params, x, T) * unitMs;
  }
  const out = {
    probabilityAlive: new Float64Array(n),
    expectedPurchases: new Float64Array(n),
    expectedAverageValue: new Float64Array(n),
    clv: new Float64Array(n),
    expectedNextOrderAt: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const j = rows.rowOf[i]!;
    const value = expectedAverageValue(spend.params, summary.frequency[i]!, summary.monetary[i]!);
    out.probabilityAlive[i] = perRow.alive[j]!;
    out.expectedPurchases[i] = perRow.expected[j]!;
    out.expectedAverageValue[i] = value;
    out.clv[i] = perRow.discounted[j]! * value;
    out.expectedNextOrderAt[i] = perRow.next[j]!;
  }
  return out;
}

function checkClvOptions(options: Partial<ClvOptions>): ClvOptions {
  const o = { ...DEFAULT_CLV_OPTIONS, ...options } satisfies ClvOptions;
  if (!Number.isInteger(o.periods) || o.periods < 1) throw new ValidationError(`periods must be a whole number ≥ 1, got ${o.periods}`);
  if (!(o.periodDays > 0) || !Number.isFinite(o.periodDays)) throw new ValidationError(`periodDays must be > 0, got ${o.periodDays}`);
  if (!(o.discountRate >= 0) || !Number.isFinite(o.discountRate)) throw new ValidationError(`discountRate must be ≥ 0, got ${o.discountRate}`);
  return o;
}
