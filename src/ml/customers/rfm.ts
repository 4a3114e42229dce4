// The marketer's view of a customer summary: quintile R/F/M scores and named segments.
import type { CustomerSummary } from './summary.ts';

/**
 * Quintile score 1–5 of each value (5 = highest values, or lowest with `lowIsBetter`). Ties share a
 * score: each value is placed by its mid-rank, score = 1 + ⌊5 · (midrank − ½) / n⌋. Values must
 * not be NaN (the summary's columns used for scoring never are).
 */
export function quintileScores(values: Float64Array, lowIsBetter = false): Uint8Array {
  const boundaries = quintileBoundaries(values);
  return Uint8Array.from(values, (v) => quintileScore(v, boundaries, lowIsBetter));
}

/**
 * The score is a step function of the value: the smallest value reaching each score 2–5 (fewer
 * when a score is never reached). Kept with a scoring run, it places a customer scored later
 * against the same population.
 */
export function quintileBoundaries(values: Float64Array): number[] {
  const n = values.length;
  const sorted = Float64Array.from(values).sort();
  const boundaries: number[] = [];
  for (let lo = 0; lo < n; ) {
    let hi = lo;
    while (hi + 1 < n && sorted[hi + 1] === sorted[lo]) hi++;
    const score = Math.min(5, 1 + Math.floor((5 * (lo + hi + 1)) / 2 / n));
    while (boundaries.length < score - 1) boundaries.push(sorted[lo]!);
    lo = hi + 1;
  }
  return boundaries;
}

/** The score of one value against `quintileBoundaries` (1 + boundaries reached, reversed with `lowIsBetter`). */
export function quintileScore(value: number, boundaries: readonly number[], lowIsBetter = false): number {
  let score = 1;
  for (const b of boundaries) if (value >= b) score++;
  return lowIsBetter ? 6 - score : score;
}

export const SEGMENTS = ['champions', 'loyal', 'new', 'promising', 'at risk', 'lost', 'hibernating', 'needs attention'] as const;
export type Segment = (typeof SEGMENTS)[number];

export interface RfmScores {
  /** Recency score: 5 = bought most recently (fewest days since the last purchase). */
  readonly r: Uint8Array;
  /** Frequency score: 5 = most orders. */
  readonly f: Uint8Array;
  /** Monetary score: 5 = highest mean order value. */
  readonly m: Uint8Array;
  /** Index into SEGMENTS of each entry. */
  readonly segment: Uint8Array;
  readonly boundaries: RfmBoundaries;
}

/** quintileBoundaries of each RFM column, over raw values (days, orders, money). */
export interface RfmBoundaries {
  recencyDays: number[];
  orders: number[];
  meanOrderValue: number[];
}

type RfmColumns = Pick<CustomerSummary, 'daysSinceLastPurchase' | 'orders' | 'meanOrderValue'>;

/** The boundaries of a population: what `rfmSegments` places each customer against. */
export function rfmBoundaries(summary: RfmColumns): RfmBoundaries {
  return {
    recencyDays: quintileBoundaries(summary.daysSinceLastPurchase),
    orders: quintileBoundaries(summary.orders),
    meanOrderValue: quintileBoundaries(summary.meanOrderValue),
  };
}

/**
 * R, F and M quintile scores and a named segment per customer, from days since the last purchase,
 * number of orders and mean order value, against `boundaries` (default: those of `summary` itself).
 * The first rule that matches names the segment:
 *   champions        R ≥ 4, F ≥ 4, M ≥ 4   bought recently, often, and spend the most
 *   loyal            R ≥ 3, F ≥ 4          buy often and not long ago
 *   new              R ≥ 4, one order      first order was recent
 *   promising        R ≥ 4                 recent, still few orders
 *   at risk          R ≤ 2, F ≥ 3          used to buy often, not lately
 *   lost             R = 1                 longest gone, few orders
 *   hibernating      R = 2                 long gone, few orders
 *   needs attention  the rest (R = 3, F ≤ 3)
 */
export function rfmSegments(summary: RfmColumns, boundaries: RfmBoundaries = rfmBoundaries(summary)): RfmScores {
  const score = (values: Float64Array, b: readonly number[], lowIsBetter = false) => Uint8Array.from(values, (v) => quintileScore(v, b, lowIsBetter));
  const r = score(summary.daysSinceLastPurchase, boundaries.recencyDays, true);
  const f = score(summary.orders, boundaries.orders);
  const m = score(summary.meanOrderValue, boundaries.meanOrderValue);
  const segment = new Uint8Array(r.length);
  for (let i = 0; i < r.length; i++) segment[i] = SEGMENTS.indexOf(segmentOf(r[i]!, f[i]!, m[i]!, summary.orders[i]!));
  return { r, f, m, segment, boundaries };
}

function segmentOf(r: number, f: number, m: number, orders: number): Segment {
  if (r >= 4 && f >= 4 && m >= 4) return 'champions';
  if (r >= 3 && f >= 4) return 'loyal';
  if (r >= 4 && orders === 1) return 'new';
  if (r >= 4) return 'promising';
  if (r <= 2 && f >= 3) return 'at risk';
  if (r === 1) return 'lost';
  if (r === 2) return 'hibernating';
  return 'needs attention';
}
