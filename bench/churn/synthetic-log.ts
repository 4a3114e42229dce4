// A synthetic shop for the churn benchmark: order lines drawn from the BG/NBD story (Fader, Hardie
// & Lee 2005, section 3) with Gamma-Gamma order values. Each customer has a purchase rate
// λ ~ Gamma(r, α) per day and a dropout probability p ~ Beta(a, b); their first order falls
// uniformly in the first `acquisitionDays`, orders then arrive as a Poisson process, and after each
// one the customer leaves with probability p. An order's value is Gamma(pValue, ν) with the
// customer's ν ~ Gamma(q, γ); it buys `linesPerOrder` items (1–3) from a catalogue.
import { DAY_MS, type PurchaseLog } from '../../src/ml/customers/purchase-log.ts';
import { createRng, gammaVariate } from '../../src/ml/numeric/rng.ts';

export interface SyntheticShop {
  customers: number;
  /** Stop when this many order lines were drawn (customers beyond that point get none). */
  maxLines: number;
  /** Days of history; orders at or after it are not drawn. */
  days: number;
  acquisitionDays: number;
  start: number;
  purchase: { r: number; alpha: number; a: number; b: number };
  spend: { p: number; q: number; gamma: number };
  items: number;
  seed: number;
}

export const defaultShop: SyntheticShop = {
  customers: 1_000_000,
  maxLines: 10_000_000,
  days: 730,
  acquisitionDays: 600,
  start: Date.parse('2024-01-01T00:00:00Z'),
  purchase: { r: 1.2, alpha: 76, a: 0.8, b: 6 },
  spend: { p: 6, q: 4, gamma: 60 },
  items: 5_000,
  seed: 20_240_101,
};

export function syntheticPurchaseLog(shop: SyntheticShop, onCustomer?: (done: number) => void): PurchaseLog {
  const rng = createRng(shop.seed);
  const cap = shop.maxLines;
  const customer = new Int32Array(cap);
  const item = new Int32Array(cap);
  const order = new Int32Array(cap);
  const quantity = new Float64Array(cap);
  const unitPrice = new Float64Array(cap);
  const time = new Float64Array(cap);
  let n = 0;
  let orders = 0;
  const { r, alpha, a, b } = shop.purchase;
  for (let c = 0; c < shop.customers && n < cap; c++) {
    const first = rng.next() * shop.acquisitionDays;
    const lambda = gammaVariate(rng, r) / alpha;
    const ga = gammaVariate(rng, a);
    const dropout = ga / (ga + gammaVariate(rng, b));
    const nu = gammaVariate(rng, shop.spend.q) / shop.spend.gamma;
    for (let t = first; t < shop.days && n < cap; ) {
      const value = gammaVariate(rng, shop.spend.p) / nu;
      const lines = Math.min(1 + rng.int(3), cap - n);
      for (let l = 0; l < lines; l++, n++) {
        customer[n] = c;
        item[n] = Math.floor(shop.items * rng.next() ** 2); // a few items sell most
        order[n] = orders;
        quantity[n] = 1;
        unitPrice[n] = value / lines;
        time[n] = shop.start + t * DAY_MS;
      }
      orders++;
      if (rng.next() < dropout) break;
      t += -Math.log(1 - rng.next()) / lambda;
    }
    if ((c & 0xffff) === 0) onCustomer?.(c);
  }
  return {
    customerIds: Array.from({ length: shop.customers }, (_, c) => `C${c}`),
    itemIds: Array.from({ length: shop.items }, (_, i) => `I${i}`),
    orderCount: orders,
    customer: customer.slice(0, n),
    item: item.slice(0, n),
    order: order.slice(0, n),
    quantity: quantity.slice(0, n),
    unitPrice: unitPrice.slice(0, n),
    time: time.slice(0, n),
  };
}
