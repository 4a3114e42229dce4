// Per-customer purchase summary at a cutoff: the input of every churn and customer-value model.
import { ValidationError } from '../../errors.ts';
import { DAY_MS, type PurchaseLog } from './purchase-log.ts';

export type TimeUnit = 'days' | 'weeks';

export const UNIT_DAYS: Record<TimeUnit, number> = { days: 1, weeks: 7 };

/**
 * What BG/NBD, Pareto/NBD and Gamma-Gamma read, one entry per customer (or per group of identical
 * customers, with `weight`). Literature symbols: x = frequency, t_x = recency, T = T.
 */
export interface RepeatSummary {
  /** x: repeat purchase periods (distinct purchase days − 1), an integer ≥ 0. */
  readonly frequency: Float64Array;
  /** t_x: time from the first to the last purchase, in `unit` (0 when frequency is 0). */
  readonly recency: Float64Array;
  /** T: time from the first purchase to the cutoff, in `unit` (≥ recency). */
  readonly T: Float64Array;
  /** z̄ (Gamma-Gamma's m_x): mean value of the repeat periods, 0 when frequency is 0. */
  readonly monetary?: Float64Array;
  /** How many customers each entry stands for (default 1 each). */
  readonly weight?: Float64Array;
  readonly unit: TimeUnit;
}

/** A RepeatSummary built from a PurchaseLog, plus the behavioural features a churn model uses. */
export interface CustomerSummary extends RepeatSummary {
  readonly monetary: Float64Array;
  /** Log customer index of each entry: entry i describes customer `customer[i]` of the log. */
  readonly customer: Int32Array;
  /** Entry of each log customer, −1 for customers with no purchase before the cutoff. */
  readonly entryOf: Int32Array;
  /** The cutoff, ms since the epoch UTC; only purchases strictly before it count. */
  readonly cutoff: number;
  /** Distinct orders before the cutoff (≥ 1). */
  readonly orders: Float64Array;
  /** orders − 1. */
  readonly repeatOrders: Float64Array;
  /** Mean order value: Σ quantity × unit price / orders. */
  readonly meanOrderValue: Float64Array;
  readonly totalValue: Float64Array;
  /** Orders in [cutoff − 30 days, cutoff) and [cutoff − 90 days, cutoff). */
  readonly ordersLast30Days: Float64Array;
  readonly ordersLast90Days: Float64Array;
  /** (last order − first order) / (orders − 1), in days; NaN with a single order. */
  readonly meanDaysBetweenOrders: Float64Array;
  /** Days from the last purchase to the cutoff (the "R" of RFM). */
  readonly daysSinceLastPurchase: Float64Array;
  readonly distinctItems: Float64Array;
  /** First and last purchase time, ms since the epoch UTC. */
  readonly firstPurchase: Float64Array;
  readonly lastPurchase: Float64Array;
}

/**
 * Summarises each customer's purchases strictly before `cutoff` (ms UTC), like lifetimes'
 * `summary_data_from_transaction_data(freq='D')`: purchases are grouped by UTC calendar day;
 * frequency = purchase days − 1; recency = last day − first day; T = cutoff − first day (the cutoff
 * is normally a midnight, so the last full day before it counts); both divided by the unit's days.
 * Customers with no purchase before the cutoff get no entry.
 */
export function summarizeCustomers(log: PurchaseLog, cutoff: number, unit: TimeUnit = 'days'): CustomerSummary {
  if (!Number.isFinite(cutoff)) throw new ValidationError(`cutoff must be a finite time in ms, got ${cutoff}`);
  const nCustomers = log.customerIds.length;
  const nOrders = log.orderCount;
  const orderTime = new Float64Array(nOrders).fill(Number.POSITIVE_INFINITY);
  const orderValue = new Float64Array(nOrders);
  const orderCustomer = new Int32Array(nOrders).fill(-1);
  for (let i = 0; i < log.time.length; i++) {
    const t = log.time[i]!;
    if (!(t < cutoff)) continue;
    const o = log.order[i]!;
    if (t < orderTime[o]!) orderTime[o] = t;
    orderValue[o] = orderValue[o]! + log.quantity[i]! * log.unitPrice[i]!;
    orderCustomer[o] = log.customer[i]!;
  }
  // Orders bucketed by customer (counting sort), then each bucket sorted by time.
  const start = new Int32Array(nCustomers + 1);
  for (let o = 0; o < nOrders; o++) if (orderCustomer[o]! >= 0) start[orderCustomer[o]! + 1]!++;
  for (let c = 0; c < nCustomers; c++) start[c + 1] = start[c + 1]! + start[c]!;
  const fill = start.slice(0, nCustomers);
  const byCustomer = new Int32Array(start[nCustomers]!);
  for (let o = 0; o < nOrders; o++) {
    const c = orderCustomer[o]!;
    if (c >= 0) byCustomer[fill[c]!++] = o;
  }
  const entryOf = new Int32Array(nCustomers).fill(-1);
  let n = 0;
  for (let c = 0; c < nCustomers; c++) if (start[c + 1]! > start[c]!) entryOf[c] = n++;

  const col = (): Float64Array => new Float64Array(n);
  const s = {
    frequency: col(), recency: col(), T: col(), monetary: col(), orders: col(), repeatOrders: col(),
    meanOrderValue: col(), totalValue: col(), ordersLast30Days: col(), ordersLast90Days: col(),
    meanDaysBetweenOrders: col(), daysSinceLastPurchase: col(), distinctItems: col(), firstPurchase: col(), lastPurchase: col(),
  };
  const customer = new Int32Array(n);
  const unitDays = UNIT_DAYS[unit];
  const cutoffDay = cutoff / DAY_MS;
  for (let c = 0; c < nCustomers; c++) {
    const e = entryOf[c]!;
    if (e < 0) continue;
    customer[e] = c;
    const from = start[c]!;
    const to = start[c + 1]!;
    sortByTime(byCustomer, from, to, orderTime);
    const first = orderTime[byCustomer[from]!]!;
    const last = orderTime[byCustomer[to - 1]!]!;
    const firstDay = Math.floor(first / DAY_MS);
    let day = firstDay;
    let days = 1;
    let total = 0;
    let repeatValue = 0;
    let last30 = 0;
    let last90 = 0;
    for (let k = from; k < to; k++) {
      const o = byCustomer[k]!;
      const t = orderTime[o]!;
      const d = Math.floor(t / DAY_MS);
      if (d !== day) {
        day = d;
        days++;
      }
      if (d !== firstDay) repeatValue += orderValue[o]!;
      total += orderValue[o]!;
      if (t >= cutoff - 30 * DAY_MS) last30++;
      if (t >= cutoff - 90 * DAY_MS) last90++;
    }
    const orders = to - from;
    s.frequency[e] = days - 1;
    s.recency[e] = (day - firstDay) / unitDays;
    s.T[e] = (cutoffDay - firstDay) / unitDays;
    s.monetary[e] = days > 1 ? repeatValue / (days - 1) : 0;
    s.orders[e] = orders;
    s.repeatOrders[e] = orders - 1;
    s.totalValue[e] = total;
    s.meanOrderValue[e] = total / orders;
    s.ordersLast30Days[e] = last30;
    s.ordersLast90Days[e] = last90;
    s.meanDaysBetweenOrders[e] = orders > 1 ? (last - first) / DAY_MS / (orders - 1) : Number.NaN;
    s.daysSinceLastPurchase[e] = (cutoff - last) / DAY_MS;
    s.firstPurchase[e] = first;
    s.lastPurchase[e] = last;
  }
  countDistinctItems(log, cutoff, entryOf, s.distinctItems);
  return { ...s, unit, customer, entryOf, cutoff };
}

/** Insertion sort of idx[from, to) by key (a customer's orders are few and nearly sorted). */
function sortByTime(idx: Int32Array, from: number, to: number, key: Float64Array): void {
  for (let i = from + 1; i < to; i++) {
    const v = idx[i]!;
    const kv = key[v]!;
    let j = i - 1;
    while (j >= from && key[idx[j]!]! > kv) {
      idx[j + 1] = idx[j]!;
      j--;
    }
    idx[j + 1] = v;
  }
}

/** Distinct items per entry: lines bucketed by customer, then a "last customer seen" stamp per item. */
function countDistinctItems(log: PurchaseLog, cutoff: number, entryOf: Int32Array, out: Float64Array): void {
  const nCustomers = log.customerIds.length;
  const start = new Int32Array(nCustomers + 1);
  for (let i = 0; i < log.time.length; i++) if (log.time[i]! < cutoff) start[log.customer[i]! + 1]!++;
  for (let c = 0; c < nCustomers; c++) start[c + 1] = start[c + 1]! + start[c]!;
  const fill = start.slice(0, nCustomers);
  const lines = new Int32Array(start[nCustomers]!);
  for (let i = 0; i < log.time.length; i++) if (log.time[i]! < cutoff) lines[fill[log.customer[i]!]!++] = i;
  const seenBy = new Int32Array(log.itemIds.length).fill(-1);
  for (let c = 0; c < nCustomers; c++) {
    let distinct = 0;
    for (let k = start[c]!; k < start[c + 1]!; k++) {
      const item = log.item[lines[k]!]!;
      if (seenBy[item] !== c) {
        seenBy[item] = c;
        distinct++;
      }
    }
    if (entryOf[c]! >= 0) out[entryOf[c]!] = distinct;
  }
}

/**
 * The one check every model's input passes through. Throws a ValidationError naming the first
 * offending customers when: there are no customers, arrays differ in length, a value is not finite,
 * frequency is negative or not an integer, recency or T is negative, recency exceeds T, frequency is 0 with
 * recency ≠ 0, monetary is negative (or not positive for a repeat customer), or a weight is not positive.
 */
export function checkRepeatSummary(data: RepeatSummary, options: { monetary?: boolean } = {}): void {
  const n = data.frequency.length;
  if (n === 0) throw new ValidationError('empty data: need at least one customer');
  const lengths: [string, ArrayLike<number> | undefined][] = [
    ['recency', data.recency], ['T', data.T], ['monetary', data.monetary], ['weight', data.weight],
  ];
  for (const [name, a] of lengths) {
    if (a !== undefined && a.length !== n) throw new ValidationError(`${name} has ${a.length} entries but frequency has ${n}`);
  }
  if (options.monetary && !data.monetary) throw new ValidationError('monetary values are required');
  const problems: string[] = [];
  const report = (i: number, what: string): void => {
    if (problems.length < 5) problems.push(`customer ${i}: ${what}`);
  };
  let bad = 0;
  for (let i = 0; i < n; i++) {
    const x = data.frequency[i]!;
    const tx = data.recency[i]!;
    const T = data.T[i]!;
    let msg: string | undefined;
    if (!Number.isFinite(x) || !Number.isFinite(tx) || !Number.isFinite(T)) msg = `non-finite value (frequency ${x}, recency ${tx}, T ${T})`;
    else if (x < 0 || !Number.isInteger(x)) msg = `frequency ${x} must be a whole number ≥ 0`;
    else if (tx < 0) msg = `negative recency ${tx}`;
    else if (T < 0) msg = `negative T ${T}`;
    else if (tx > T * (1 + 1e-12)) msg = `recency ${tx} exceeds T ${T}`;
    else if (x === 0 && tx !== 0) msg = `frequency 0 with recency ${tx} (must be 0)`;
    else if (data.monetary && options.monetary) {
      const m = data.monetary[i]!;
      if (!Number.isFinite(m) || m < 0) msg = `monetary value ${m} must be finite and ≥ 0`;
      else if (x > 0 && m === 0) msg = `monetary value 0 for a repeat customer (must be > 0)`;
    }
    if (msg === undefined && data.weight) {
      const w = data.weight[i]!;
      if (!(w > 0) || !Number.isFinite(w)) msg = `weight ${w} must be finite and > 0`;
    }
    if (msg !== undefined) {
      bad++;
      report(i, msg);
    }
  }
  if (bad > 0) {
    throw new ValidationError(`invalid customer summary (${bad} of ${n} rows): ${problems.join('; ')}${bad > problems.length ? '; …' : ''}`);
  }
}
