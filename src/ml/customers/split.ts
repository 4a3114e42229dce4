// Train/test splitters for offline evaluation. Each returns new logs and never mutates its input.
import type { PurchaseLog } from './purchase-log.ts';

export interface TrainTest {
  /** Lines before the cutoff, with only the customers and items that occur in them. */
  train: PurchaseLog;
  /** Lines in [cutoff, end), with the input's full id dictionaries. */
  test: PurchaseLog;
}

/** Temporal split: everything before `cutoff` (ms) trains, [cutoff, end) tests. */
export function splitByTime(log: PurchaseLog, cutoff: number, end = Infinity): TrainTest {
  return { train: compactLog(selectLines(log, (k) => log.time[k]! < cutoff)), test: selectLines(log, (k) => log.time[k]! >= cutoff && log.time[k]! < end) };
}

/** The same lines with id dictionaries reduced to the customers and items that occur (order kept). */
export function compactLog(log: PurchaseLog): PurchaseLog {
  const customerMap = remap(log.customer, log.customerIds.length);
  const itemMap = remap(log.item, log.itemIds.length);
  return {
    ...log,
    customerIds: customerMap.kept.map((k) => log.customerIds[k]!),
    itemIds: itemMap.kept.map((k) => log.itemIds[k]!),
    customer: log.customer.map((c) => customerMap.index[c]!),
    item: log.item.map((i) => itemMap.index[i]!),
    order: log.order.slice(),
    quantity: log.quantity.slice(),
    unitPrice: log.unitPrice.slice(),
    time: log.time.slice(),
  };
}

/** What a holdout asks of a model trained on `train`: which customers, and which items count as hits. */
export interface HoldoutTargets {
  /** Train customer indices, ascending. */
  users: Int32Array;
  /** Per user (same order), the relevant train item indices, ascending. */
  relevant: Int32Array[];
}

/**
 * REFERENCE.md protocol: relevant = test items the customer did not buy in train and that exist in
 * train; test users = train customers with at least one relevant item. Logs are matched by
 * external ids, so train and test may come from different files.
 */
export function holdoutTargets(train: PurchaseLog, test: PurchaseLog): HoldoutTargets {
  const customerIndex = new Map(train.customerIds.map((id, i) => [id, i]));
  const itemIndex = new Map(train.itemIds.map((id, i) => [id, i]));
  const nItems = train.itemIds.length;
  const bought = new Set<number>();
  for (let k = 0; k < train.customer.length; k++) bought.add(train.customer[k]! * nItems + train.item[k]!);
  const perUser = new Map<number, Set<number>>();
  for (let k = 0; k < test.customer.length; k++) {
    const u = customerIndex.get(test.customerIds[test.customer[k]!]!);
    const i = itemIndex.get(test.itemIds[test.item[k]!]!);
    if (u === undefined || i === undefined || bought.has(u * nItems + i)) continue;
    let set = perUser.get(u);
    if (!set) perUser.set(u, (set = new Set()));
    set.add(i);
  }
  const users = Int32Array.from([...perUser.keys()].sort((a, b) => a - b));
  return { users, relevant: Array.from(users, (u) => Int32Array.from([...perUser.get(u)!].sort((a, b) => a - b))) };
}

/** The lines `keep` accepts (by line index), with the input's dictionaries. */
export function selectLines(log: PurchaseLog, keep: (line: number) => boolean): PurchaseLog {
  const rows: number[] = [];
  for (let k = 0; k < log.time.length; k++) if (keep(k)) rows.push(k);
  const pick = <T extends Int32Array | Float64Array>(a: T): T => {
    const out = new (a.constructor as new (n: number) => T)(rows.length);
    for (let j = 0; j < rows.length; j++) out[j] = a[rows[j]!]!;
    return out;
  };
  return { ...log, customer: pick(log.customer), item: pick(log.item), order: pick(log.order), quantity: pick(log.quantity), unitPrice: pick(log.unitPrice), time: pick(log.time) };
}

function remap(indices: Int32Array, size: number): { index: Int32Array; kept: number[] } {
  const index = new Int32Array(size).fill(-1);
  const kept: number[] = [];
  for (let k = 0; k < indices.length; k++) {
    const v = indices[k]!;
    if (index[v] === -1) {
      index[v] = kept.length;
      kept.push(v);
    }
  }
  return { index, kept };
}
