// A seeded sparse shop built from Online Retail, since no sparse public data set is bundled: every
// item is split into VARIANTS long-tail variants (a customer's lines of one item all go to the same
// variant, drawn with weights 1, 1/2, ..., 1/VARIANTS by a hash of the customer-item pair), and a
// share KEEP of the customer-item pairs is kept (all their lines), the rest dropped. Dates, orders
// and quantities are the original ones, so time splits work as on the original shop.
import { PurchaseLogBuilder, type PurchaseLog } from '../../src/ml/customers/purchase-log.ts';
import { createRng } from '../../src/ml/numeric/rng.ts';
import { pairStats } from '../../src/ml/cf/sparse.ts';

export const SPARSE_SHOP = { variants: 4, keep: 0.25, seed: 11 };

export function sparseShop(log: PurchaseLog, o = SPARSE_SHOP): PurchaseLog {
  const weights = Array.from({ length: o.variants }, (_, v) => 1 / (v + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const builder = new PurchaseLogBuilder();
  const drawn = new Map<string, string | null>();
  for (let k = 0; k < log.customer.length; k++) {
    const c = log.customerIds[log.customer[k]!]!;
    const i = log.itemIds[log.item[k]!]!;
    const key = `${c}|${i}`;
    let target = drawn.get(key);
    if (target === undefined) {
      const rng = createRng(hash(key) ^ o.seed);
      if (rng.next() >= o.keep) target = null;
      else {
        let u = rng.next() * total;
        let v = 0;
        while (v < o.variants - 1 && u >= weights[v]!) u -= weights[v++]!;
        target = `${i}~${v}`;
      }
      drawn.set(key, target);
    }
    if (target !== null) builder.add(c, target, String(log.order[k]), log.quantity[k]!, log.unitPrice[k]!, log.time[k]!);
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
