// Popularity and trending: how many distinct customers bought each item, optionally only within a
// recent window, the fallback for customers and contexts with no history.
import { DAY_MS, type PurchaseLog } from '../customers/purchase-log.ts';

export interface PopularityOptions {
  /** Count only buyers in the last `windowDays` before `endTime` ("trending"); Infinity = all time. */
  windowDays: number;
  /** End of the window in ms; defaults to the log's last purchase. */
  endTime?: number;
}

export const POPULARITY_DEFAULTS: PopularityOptions = { windowDays: Infinity };

/**
 * Score per item = distinct buyers inside the window, plus all-time distinct buyers / (customers + 1)
 * so that ties inside the window are broken by long-run popularity (the bonus is always < 1).
 */
export function fitPopularity(log: PurchaseLog, options: Partial<PopularityOptions> = {}): Float32Array {
  const o = { ...POPULARITY_DEFAULTS, ...options } satisfies PopularityOptions;
  const end = o.endTime ?? log.time.reduce((a, b) => Math.max(a, b), -Infinity);
  const from = end - o.windowDays * DAY_MS;
  const nItems = log.itemIds.length;
  const customers = log.customerIds.length;
  const recent = distinctBuyers(log, nItems, (t) => t > from && t <= end);
  const allTime = distinctBuyers(log, nItems, () => true);
  const out = new Float32Array(nItems);
  for (let i = 0; i < nItems; i++) out[i] = recent[i]! + allTime[i]! / (customers + 1);
  return out;
}

function distinctBuyers(log: PurchaseLog, nItems: number, inWindow: (time: number) => boolean): Float64Array {
  const seen = new Set<number>();
  const counts = new Float64Array(nItems);
  for (let k = 0; k < log.item.length; k++) {
    if (!inWindow(log.time[k]!)) continue;
    const key = log.customer[k]! * nItems + log.item[k]!;
    if (seen.has(key)) continue;
    seen.add(key);
    counts[log.item[k]!]!++;
  }
  return counts;
}
