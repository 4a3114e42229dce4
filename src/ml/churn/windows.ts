// Time windows and labels for churn. Churn at a cutoff = no purchase in [cutoff, cutoff + horizon).
// The classifier learns one horizon earlier: features at trainCutoff = cutoff − horizon from the
// lines before it, labels in [trainCutoff, cutoff). It is then applied to features at the cutoff,
// whose labels lie after every line it was trained on: it never sees the labels it is scored on.
import { DAY_MS, type PurchaseLog } from '../customers/purchase-log.ts';

export interface ChurnWindows {
  /** Features for training are computed from lines before this instant (ms UTC). */
  trainCutoff: number;
  /** Training labels: any purchase in [trainCutoff, cutoff)? Scoring features: lines before cutoff. */
  cutoff: number;
  /** End (exclusive) of the window the scores predict: cutoff + horizon. */
  horizonEnd: number;
  horizonDays: number;
}

export function churnWindows(cutoff: number, horizonDays: number): ChurnWindows {
  if (!Number.isFinite(cutoff)) throw new RangeError(`cutoff must be a time in ms, got ${cutoff}`);
  if (!(horizonDays > 0)) throw new RangeError(`horizon must be a positive number of days, got ${horizonDays}`);
  const horizon = horizonDays * DAY_MS;
  return { trainCutoff: cutoff - horizon, cutoff, horizonEnd: cutoff + horizon, horizonDays };
}

/** For each customer index in `customers`: 1 if they bought nothing in [from, to) (churned), else 0. */
export function churnLabels(log: PurchaseLog, customers: Int32Array, from: number, to: number): Uint8Array {
  const bought = new Uint8Array(log.customerIds.length);
  for (let i = 0; i < log.time.length; i++) {
    const t = log.time[i]!;
    if (t >= from && t < to) bought[log.customer[i]!] = 1;
  }
  const labels = new Uint8Array(customers.length);
  for (let k = 0; k < customers.length; k++) labels[k] = 1 - bought[customers[k]!]!;
  return labels;
}

/** For each customer index in `customers`: what they spent (Σ quantity × unit price) in [from, to). */
export function spendBetween(log: PurchaseLog, customers: Int32Array, from: number, to: number): Float64Array {
  const spent = new Float64Array(log.customerIds.length);
  for (let i = 0; i < log.time.length; i++) {
    const t = log.time[i]!;
    if (t >= from && t < to) spent[log.customer[i]!] = spent[log.customer[i]!]! + log.quantity[i]! * log.unitPrice[i]!;
  }
  return Float64Array.from(customers, (c) => spent[c]!);
}

/** Time of the last line in the log (ms UTC), or NaN for an empty log: how far labels can reach. */
export function lastPurchaseTime(log: PurchaseLog): number {
  let last = -Infinity;
  for (let i = 0; i < log.time.length; i++) if (log.time[i]! > last) last = log.time[i]!;
  return log.time.length === 0 ? NaN : last;
}
