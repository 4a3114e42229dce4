// Random holdouts, for shops whose test set is not later in time than their training set (a
// ratings file split at random, say). Whole customer-item pairs move: every line of a held-out pair
// goes to the holdout, so a held-out item is one the customer "did not buy in train" and counts as
// relevant under the REFERENCE.md protocol. Also: telling from a train/test pair of logs whether
// they were split in time or at random, and with what shape, so validation can mirror it.
import type { PurchaseLog } from './purchase-log.ts';
import { compactLog, selectLines, type TrainTest } from './split.ts';
import { createRng } from '../numeric/rng.ts';

/** Whose pairs are sampled to the same fraction: each customer's, each item's, or all pairs at once. */
export type Stratum = 'customer' | 'item' | 'none';

export interface RandomHoldoutOptions {
  /** Share of customer-item pairs held out, in (0, 1). */
  fraction: number;
  stratum: Stratum;
  seed: number;
}

/**
 * Moves a random `fraction` of the distinct customer-item pairs (all their lines) to the holdout,
 * per stratum: a customer (item) with n pairs gives floor(f n + u) of them, u uniform, so every
 * stratum holds out f n on average. Returns the same shape as `splitByTime`: train compacted to the
 * customers and items that remain, test with the input's dictionaries.
 */
export function splitRandomHoldout(log: PurchaseLog, options: RandomHoldoutOptions): TrainTest {
  const { fraction, stratum, seed } = options;
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`holdout fraction must be in (0, 1), got ${fraction}`);
  const rng = createRng(seed);
  const nItems = log.itemIds.length;
  // distinct pairs in first-seen order, so the draw depends only on the log and the seed
  const pairOf = new Map<number, number>();
  const pairKeys: number[] = [];
  const linePair = new Int32Array(log.customer.length);
  for (let k = 0; k < log.customer.length; k++) {
    const key = log.customer[k]! * nItems + log.item[k]!;
    let p = pairOf.get(key);
    if (p === undefined) {
      p = pairKeys.length;
      pairOf.set(key, p);
      pairKeys.push(key);
    }
    linePair[k] = p;
  }
  const groupOf = (key: number): number => (stratum === 'customer' ? Math.floor(key / nItems) : stratum === 'item' ? key % nItems : 0);
  const groups = new Map<number, number[]>();
  pairKeys.forEach((key, p) => {
    const g = groupOf(key);
    let members = groups.get(g);
    if (!members) groups.set(g, (members = []));
    members.push(p);
  });
  const heldOut = new Uint8Array(pairKeys.length);
  for (const members of groups.values()) {
    const take = Math.floor(fraction * members.length + rng.next());
    // partial Fisher-Yates: the first `take` slots become a uniform sample
    for (let j = 0; j < take; j++) {
      const r = j + rng.int(members.length - j);
      const t = members[j]!;
      members[j] = members[r]!;
      members[r] = t;
      heldOut[members[j]!] = 1;
    }
  }
  return {
    train: compactLog(selectLines(log, (k) => heldOut[linePair[k]!] === 0)),
    test: selectLines(log, (k) => heldOut[linePair[k]!] === 1),
  };
}

/** How a test log relates to its training log. */
export interface HoldoutShape {
  /** True when the test comes after the training data in time (a cutoff split). */
  later: boolean;
  /** Test pairs / all distinct pairs (train and test matched by external ids). */
  fraction: number;
  /** The stratum whose test shares vary least beyond chance ('none' when neither is stratified). */
  stratum: Stratum;
}

/**
 * Reads a train/test pair: `later` when at least 95% of the test lines are no earlier than 95% of
 * the training lines (logs without timestamps are never later); the stratum is the one (customer
 * or item) whose per-stratum test shares vary less than half of what independent sampling would
 * give (binomial variance f(1 - f) / n), the smaller of the two when both do.
 */
export function holdoutShape(train: PurchaseLog, test: PurchaseLog): HoldoutShape {
  const later = quantile(test.time, 0.05) >= quantile(train.time, 0.95) && quantile(test.time, 1) > 0;
  const trainPairs = externalPairs(train);
  const testPairs = externalPairs(test);
  for (const key of testPairs.keys()) trainPairs.delete(key);
  const total = trainPairs.size + testPairs.size;
  const fraction = total === 0 ? 0 : testPairs.size / total;
  const ratio = (side: 0 | 1) => dispersionRatio(trainPairs, testPairs, side, fraction);
  const byCustomer = ratio(0);
  const byItem = ratio(1);
  const stratum: Stratum = Math.min(byCustomer, byItem) >= 0.5 ? 'none' : byCustomer <= byItem ? 'customer' : 'item';
  return { later, fraction, stratum };
}

/** Observed variance of per-group test shares over the binomial variance expected without strata. */
function dispersionRatio(trainPairs: Map<string, [string, string]>, testPairs: Map<string, [string, string]>, side: 0 | 1, f: number): number {
  const counts = new Map<string, [number, number]>();
  const add = (pairs: Map<string, [string, string]>, slot: 0 | 1) => {
    for (const pair of pairs.values()) {
      const c = counts.get(pair[side]) ?? [0, 0];
      c[slot]++;
      counts.set(pair[side], c);
    }
  };
  add(trainPairs, 0);
  add(testPairs, 1);
  let observed = 0;
  let expected = 0;
  for (const [inTrain, inTest] of counts.values()) {
    const n = inTrain + inTest;
    // tiny groups say little about stratification (a 1-pair group is always 0 or 1)
    if (n < 4) continue;
    observed += (inTest / n - f) ** 2;
    expected += (f * (1 - f)) / n;
  }
  return expected === 0 ? Infinity : observed / expected;
}

function externalPairs(log: PurchaseLog): Map<string, [string, string]> {
  const out = new Map<string, [string, string]>();
  for (let k = 0; k < log.customer.length; k++) {
    const c = log.customerIds[log.customer[k]!]!;
    const i = log.itemIds[log.item[k]!]!;
    out.set(`${c}\u0000${i}`, [c, i]);
  }
  return out;
}

function quantile(values: Float64Array, q: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}
