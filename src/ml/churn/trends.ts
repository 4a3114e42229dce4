// Per-customer behaviour at a cutoff that the RFM summary does not carry: how often they cancel,
// whether their orders are slowing down, shrinking or narrowing, and what they spent in the last
// horizon. Each is a ratio or count a churn model or
// a spend model can read on any shop; only lines strictly before the cutoff count.
import { DAY_MS, type PurchaseLog } from '../customers/purchase-log.ts';
import type { CustomerSummary } from '../customers/summary.ts';

export interface CustomerTrends {
  /** Cancelled lines / (purchase lines + cancelled lines), in [0, 1); 0 when the log has no cancellations. */
  readonly cancelledLineShare: Float64Array;
  /** Last gap between orders / mean gap (1 with fewer than three orders or a zero mean gap). */
  readonly lastGapRatio: Float64Array;
  /** Value of the last order / mean order value (1 with a single order). */
  readonly lastOrderValueRatio: Float64Array;
  /** Lines of the last order / mean lines per order (1 with a single order). */
  readonly lastOrderLinesRatio: Float64Array;
  /** Spend (Σ quantity × unit price) in [cutoff − horizon, cutoff). */
  readonly spendLastHorizon: Float64Array;
}

/** Trends for each entry of `summary` (built from the same log at the same cutoff). */
export function customerTrends(log: PurchaseLog, summary: CustomerSummary, horizonDays: number): CustomerTrends {
  const { cutoff, entryOf } = summary;
  const n = summary.customer.length;
  const nOrders = log.orderCount;
  const orderTime = new Float64Array(nOrders).fill(Number.POSITIVE_INFINITY);
  const orderValue = new Float64Array(nOrders);
  const orderLines = new Float64Array(nOrders);
  const orderEntry = new Int32Array(nOrders).fill(-1);
  const lines = new Float64Array(n);
  const spendLastHorizon = new Float64Array(n);
  const recentFrom = cutoff - horizonDays * DAY_MS;
  for (let i = 0; i < log.time.length; i++) {
    const t = log.time[i]!;
    if (!(t < cutoff)) continue;
    const o = log.order[i]!;
    const e = entryOf[log.customer[i]!]!;
    const value = log.quantity[i]! * log.unitPrice[i]!;
    if (t < orderTime[o]!) orderTime[o] = t;
    orderValue[o] = orderValue[o]! + value;
    orderLines[o]!++;
    orderEntry[o] = e;
    lines[e]!++;
    if (t >= recentFrom) spendLastHorizon[e] = spendLastHorizon[e]! + value;
  }
  // the last and second-to-last order of each entry (ties in time: the lower order index)
  const last = new Int32Array(n).fill(-1);
  const previous = new Int32Array(n).fill(-1);
  const later = (a: number, b: number): boolean => b < 0 || orderTime[a]! > orderTime[b]! || (orderTime[a] === orderTime[b] && a < b);
  for (let o = 0; o < nOrders; o++) {
    const e = orderEntry[o]!;
    if (e < 0) continue;
    if (later(o, last[e]!)) {
      previous[e] = last[e]!;
      last[e] = o;
    } else if (later(o, previous[e]!)) previous[e] = o;
  }
  const cancelledLines = new Float64Array(n);
  const c = log.cancellations;
  if (c) {
    for (let k = 0; k < c.time.length; k++) {
      const e = entryOf[c.customer[k]!]!;
      if (e >= 0 && c.time[k]! < cutoff) cancelledLines[e]!++;
    }
  }
  const out = {
    cancelledLineShare: new Float64Array(n),
    lastGapRatio: new Float64Array(n).fill(1),
    lastOrderValueRatio: new Float64Array(n).fill(1),
    lastOrderLinesRatio: new Float64Array(n).fill(1),
    spendLastHorizon,
  };
  for (let e = 0; e < n; e++) {
    const orders = summary.orders[e]!;
    out.cancelledLineShare[e] = cancelledLines[e]! / (lines[e]! + cancelledLines[e]!);
    if (orders < 2) continue;
    const o = last[e]!;
    out.lastOrderValueRatio[e] = orderValue[o]! / summary.meanOrderValue[e]!;
    out.lastOrderLinesRatio[e] = orderLines[o]! / (lines[e]! / orders);
    const meanGap = summary.meanDaysBetweenOrders[e]! * DAY_MS;
    if (orders >= 3 && meanGap > 0) out.lastGapRatio[e] = (orderTime[o]! - orderTime[previous[e]!]!) / meanGap;
  }
  return out;
}
