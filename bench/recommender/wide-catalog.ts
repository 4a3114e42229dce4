// The seeded wide catalog of the recommender benches: 2,325 customers x 17,537 items, customers
// uniform, items skewed (item floor(cols * u^2) for uniform u: a few popular items, a long tail).
// run.ts fits EASE on its binary matrix; evaluate-wide.ts writes the same draws as purchase lines.
import { csrFromPairs, type Csr } from '../../src/ml/cf/sparse.ts';
import { createRng } from '../../src/ml/numeric/rng.ts';

export const WIDE_CATALOG = { rows: 2325, cols: 17_537, density: 0.0013, seed: 7 };

export interface WideDraws {
  customer: Int32Array;
  item: Int32Array;
  /** Purchase time (ms), uniform over 2011 (UTC). */
  time: Float64Array;
}

/** density * rows * cols purchases, repeats kept; times drawn after the pairs, so the pairs do not depend on them. */
export function wideDraws(o = WIDE_CATALOG): WideDraws {
  const rng = createRng(o.seed);
  const draws = Math.round(o.density * o.rows * o.cols);
  const customer = new Int32Array(draws);
  const item = new Int32Array(draws);
  for (let d = 0; d < draws; d++) {
    customer[d] = rng.int(o.rows);
    item[d] = Math.floor(o.cols * rng.next() ** 2);
  }
  const start = Date.UTC(2011, 0, 1);
  const span = Date.UTC(2012, 0, 1) - start;
  const time = Float64Array.from(customer, () => start + Math.floor(rng.next() * span));
  return { customer, item, time };
}

/** The binary customer x item matrix of the draws (repeats collapsed, so the density comes out a little lower). */
export function wideCatalog(o = WIDE_CATALOG): Csr {
  const { customer, item } = wideDraws(o);
  return csrFromPairs(o.rows, o.cols, customer, item);
}
