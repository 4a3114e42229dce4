// Churn features: the RFM summary (rfm.ts), the behaviour trends (trends.ts) and the BG/NBD outputs
// at one cutoff, turned into a row-major Float32 matrix. Counts and amounts are log1p-transformed (they are heavy-tailed: a few
// wholesalers order hundreds of times) and standardised with statistics of the training rows only.
import { DAY_MS } from '../customers/purchase-log.ts';
import type { CustomerSummary } from '../customers/summary.ts';
import type { CustomerTrends } from './trends.ts';

/** BG/NBD outputs for each summary entry, from the fit at the same cutoff (Fader, Hardie & Lee 2005). */
export interface BgNbdChurnInputs {
  /** P(X(t, t+h) = 0 | x, t_x, T): no purchase in the next horizon h, in [0, 1]. */
  pNoPurchase: Float64Array;
  /** P(alive | x, t_x, T), in [0, 1]. */
  pAlive: Float64Array;
  /** E[X(t, t+h) | x, t_x, T]: expected purchase days in the next horizon. */
  expectedPurchases: Float64Array;
}

/** Reason groups: a customer's top reasons name groups, so correlated features speak with one voice. */
export type ReasonGroup = 'recency' | 'frequency' | 'monetary' | 'tenure' | 'variety' | 'cadence' | 'recent_activity' | 'purchase_model' | 'returns';

interface FeatureSpec {
  name: string;
  group: ReasonGroup;
  value: (s: CustomerSummary, b: BgNbdChurnInputs, t: CustomerTrends, e: number) => number;
}

/** Days from the first order to the cutoff. */
export const tenureDays = (s: CustomerSummary, e: number): number => (s.cutoff - s.firstPurchase[e]!) / DAY_MS;
/** Mean days between orders; a one-order customer's gap is unknown, so their tenure stands in. */
const gap = (s: CustomerSummary, e: number): number => {
  const g = s.meanDaysBetweenOrders[e]!;
  return Number.isNaN(g) ? tenureDays(s, e) : g;
};
const logit = (p: number): number => {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
};

export const CHURN_FEATURES: readonly FeatureSpec[] = [
  { name: 'log_days_since_last_order', group: 'recency', value: (s, _b, _t, e) => Math.log1p(s.daysSinceLastPurchase[e]!) },
  { name: 'log_repeat_orders', group: 'frequency', value: (s, _b, _t, e) => Math.log1p(s.repeatOrders[e]!) },
  { name: 'single_order', group: 'frequency', value: (s, _b, _t, e) => (s.orders[e]! === 1 ? 1 : 0) },
  { name: 'log_order_rate', group: 'frequency', value: (s, _b, _t, e) => Math.log(s.orders[e]! / (1 + tenureDays(s, e))) },
  { name: 'log_mean_order_value', group: 'monetary', value: (s, _b, _t, e) => Math.log1p(s.meanOrderValue[e]!) },
  { name: 'log_tenure_days', group: 'tenure', value: (s, _b, _t, e) => Math.log1p(tenureDays(s, e)) },
  { name: 'log_distinct_items', group: 'variety', value: (s, _b, _t, e) => Math.log1p(s.distinctItems[e]!) },
  { name: 'log_mean_days_between_orders', group: 'cadence', value: (s, _b, _t, e) => Math.log1p(gap(s, e)) },
  { name: 'log_overdue_ratio', group: 'cadence', value: (s, _b, _t, e) => Math.log1p(s.daysSinceLastPurchase[e]!) - Math.log1p(gap(s, e)) },
  { name: 'log_orders_last_30_days', group: 'recent_activity', value: (s, _b, _t, e) => Math.log1p(s.ordersLast30Days[e]!) },
  { name: 'log_orders_last_90_days', group: 'recent_activity', value: (s, _b, _t, e) => Math.log1p(s.ordersLast90Days[e]!) },
  { name: 'logit_bgnbd_p_no_purchase', group: 'purchase_model', value: (_s, b, _t, e) => logit(b.pNoPurchase[e]!) },
  { name: 'log_bgnbd_expected_purchases', group: 'purchase_model', value: (_s, b, _t, e) => Math.log(1e-6 + b.expectedPurchases[e]!) },
  { name: 'bgnbd_p_alive', group: 'purchase_model', value: (_s, b, _t, e) => b.pAlive[e]! },
  { name: 'cancelled_line_share', group: 'returns', value: (_s, _b, t, e) => t.cancelledLineShare[e]! },
  { name: 'log1p_last_gap_ratio', group: 'cadence', value: (_s, _b, t, e) => Math.log1p(t.lastGapRatio[e]!) },
  { name: 'log_last_order_value_ratio', group: 'monetary', value: (_s, _b, t, e) => Math.log(t.lastOrderValueRatio[e]!) },
  { name: 'log_last_order_lines_ratio', group: 'variety', value: (_s, _b, t, e) => Math.log(t.lastOrderLinesRatio[e]!) },
];

export const CHURN_FEATURE_NAMES: readonly string[] = CHURN_FEATURES.map((f) => f.name);
export const CHURN_FEATURE_GROUPS: readonly ReasonGroup[] = CHURN_FEATURES.map((f) => f.group);

/** Raw (unstandardised) features, one row per summary entry, columns in CHURN_FEATURES order. */
export function churnFeatureMatrix(summary: CustomerSummary, bg: BgNbdChurnInputs, trends: CustomerTrends): Float32Array {
  const n = summary.orders.length;
  if (bg.pNoPurchase.length !== n || bg.pAlive.length !== n || bg.expectedPurchases.length !== n) {
    throw new RangeError(`BG/NBD outputs cover ${bg.pNoPurchase.length} customers, the summary ${n}`);
  }
  const d = CHURN_FEATURES.length;
  const x = new Float32Array(n * d);
  for (let e = 0; e < n; e++) {
    for (let j = 0; j < d; j++) {
      const v = CHURN_FEATURES[j]!.value(summary, bg, trends, e);
      if (!Number.isFinite(v)) throw new RangeError(`feature ${CHURN_FEATURES[j]!.name} of customer entry ${e} is ${v}`);
      x[e * d + j] = v;
    }
  }
  return x;
}

/** z = (x − mean) / scale per column; fitted on training rows only and stored with the model. */
export interface Standardizer {
  mean: Float64Array;
  scale: Float64Array;
}

export function fitStandardizer(x: Float32Array, rows: number, columns: number): Standardizer {
  const mean = new Float64Array(columns);
  const sq = new Float64Array(columns);
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) mean[j]! += x[i * columns + j]!;
  for (let j = 0; j < columns; j++) mean[j]! /= rows;
  for (let i = 0; i < rows; i++) for (let j = 0; j < columns; j++) sq[j]! += (x[i * columns + j]! - mean[j]!) ** 2;
  // A constant column (e.g. P(alive) when the dropout rate runs to zero) keeps scale 1: it becomes all zeros.
  const scale = sq.map((s) => (s / rows > 1e-12 ? Math.sqrt(s / rows) : 1));
  return { mean, scale };
}

export function standardize(st: Standardizer, x: Float32Array): Float32Array {
  const d = st.mean.length;
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % d;
    out[i] = (x[i]! - st.mean[j]!) / st.scale[j]!;
  }
  return out;
}
