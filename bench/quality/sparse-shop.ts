// A seeded sparse shop built from Online Retail, since no sparse public data set is bundled: the
// customers are dealt into `variants` regional stores (by a hash of the customer id, with weights
// 1, 1/2, ...), each store selling its own copy of every item (id `item~store`), which widens the
// catalog and gives it a longer tail; then only a share `keep` of the customer-item pairs is kept
// (all their lines, by a hash of the pair), the rest dropped. Dates, orders and quantities are the
// original ones, so time splits work as on the original shop.
import { PurchaseLogBuilder, type PurchaseLog } from '../../src/ml/customers/purchase-log.ts';
import { createRng } from '../../src/ml/numeric/rng.ts';
import { pairStats } from '../../src/ml/cf/sparse.ts';

export const SPARSE_SHOP = { variants: 2, keep: 0.15, seed: 11 };

export function sparseShop(log: PurchaseLog, o = SPARSE_SHOP): PurchaseLog {
  const weights = Array.from({ length: o.variants }, (_, v) => 1 / (v + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const builder = new PurchaseLogBuilder();
  const store = log.customerIds.map((c) => {
    let u = createRng(hash(c) ^ o.seed).next() * total;
    let v = 0;
    while (v < o.variants - 1 && u >= weights[v]!) u -= weights[v++]!;
    return v;
  });
  const kept = new Map<string, boolean>();
  for (let k = 0; k < log.customer.length; k++) {
    const c = log.customerIds[log.customer[k]!]!;
    const i = log.itemIds[log.item[k]!]!;
    const key = `${c}|${i}`;
    let keep = kept.get(key);
    if (keep === undefined) kept.set(key, (keep = createRng(hash(key) ^ o.seed).next() < o.keep));
    if (keep) builder.add(c, `${i}~${store[log.customer[k]!]}`, String(log.order[k]), log.quantity[k]!, log.unitPrice[k]!, log.time[k]!);
  }
  return builder.build();
}

export function density(log: PurchaseLog): { customers: number; items: number; pairs: number; density: number } {
  const pairs = pairStats(log).matrix.colIdx.length;
  return { customers: log.customerIds.length, items: log.itemIds.length, pairs, density: pairs / (log.customerIds.length * log.itemIds.length) };
}

/** FNV-1a over the string's UTF-16 code units. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < s.length; j++) h = Math.imul(h ^ s.charCodeAt(j), 0x01000193) >>> 0;
  return h;
}
