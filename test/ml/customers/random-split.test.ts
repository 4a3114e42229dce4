import { describe, it, expect } from 'vitest';
import { PurchaseLogBuilder, type PurchaseLog } from '../../../src/ml/customers/purchase-log.ts';
import { holdoutShape, splitRandomHoldout } from '../../../src/ml/customers/random-split.ts';
import { splitByTime } from '../../../src/ml/customers/split.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';

const DAY = 86_400_000;

/** 120 customers x 60 items, 4-20 distinct items each, some pairs bought on 2-3 lines, over 300 days. */
function shop(seed = 3): PurchaseLog {
  const rng = createRng(seed);
  const b = new PurchaseLogBuilder();
  for (let c = 0; c < 120; c++) {
    const items = new Set<number>();
    const n = 4 + rng.int(17);
    while (items.size < n) items.add(rng.int(60));
    for (const i of items) {
      const lines = 1 + rng.int(3);
      for (let l = 0; l < lines; l++) b.add(`c${c}`, `i${i}`, `o${c}-${i}-${l}`, 1, 1, Date.UTC(2020, 0, 1) + rng.int(300) * DAY);
    }
  }
  return b.build();
}

const pairs = (log: PurchaseLog) => new Set(Array.from(log.customer, (c, k) => `${log.customerIds[c]}|${log.itemIds[log.item[k]!]}`));

describe('splitRandomHoldout', () => {
  it('moves whole pairs: every line of a held-out pair is in the holdout, none in train', () => {
    const log = shop();
    const { train, test } = splitRandomHoldout(log, { fraction: 0.25, stratum: 'customer', seed: 1 });
    expect(train.customer.length + test.customer.length).toBe(log.customer.length);
    const inTrain = pairs(train);
    for (const p of pairs(test)) expect(inTrain.has(p)).toBe(false);
  });

  it('per customer: each customer holds out floor(f n) or ceil(f n) of their n pairs', () => {
    const log = shop();
    const { train, test } = splitRandomHoldout(log, { fraction: 0.25, stratum: 'customer', seed: 1 });
    const count = (s: Set<string>) => {
      const m = new Map<string, number>();
      for (const p of s) m.set(p.split('|')[0]!, (m.get(p.split('|')[0]!) ?? 0) + 1);
      return m;
    };
    const tr = count(pairs(train));
    const te = count(pairs(test));
    for (const c of log.customerIds) {
      const n = (tr.get(c) ?? 0) + (te.get(c) ?? 0);
      expect([Math.floor(0.25 * n), Math.ceil(0.25 * n)]).toContain(te.get(c) ?? 0);
    }
  });

  it('is reproducible by seed, different across seeds, and leaves its input alone', () => {
    const log = shop();
    const before = JSON.stringify([Array.from(log.customer), Array.from(log.item)]);
    const a = splitRandomHoldout(log, { fraction: 0.3, stratum: 'item', seed: 5 });
    const b = splitRandomHoldout(log, { fraction: 0.3, stratum: 'item', seed: 5 });
    const c = splitRandomHoldout(log, { fraction: 0.3, stratum: 'item', seed: 6 });
    expect([...pairs(a.test)]).toEqual([...pairs(b.test)]);
    expect([...pairs(a.test)]).not.toEqual([...pairs(c.test)]);
    expect(JSON.stringify([Array.from(log.customer), Array.from(log.item)])).toBe(before);
  });

  it('refuses fractions outside (0, 1)', () => {
    expect(() => splitRandomHoldout(shop(), { fraction: 1, stratum: 'none', seed: 1 })).toThrow(RangeError);
  });
});

describe('holdoutShape', () => {
  const log = shop();

  it('a cutoff split is later in time', () => {
    const { train, test } = splitByTime(log, Date.UTC(2020, 0, 1) + 220 * DAY);
    expect(holdoutShape(train, test).later).toBe(true);
  });

  it('a random split is not later, and its fraction and stratum are read back', () => {
    for (const stratum of ['customer', 'item'] as const) {
      const { train, test } = splitRandomHoldout(log, { fraction: 0.25, stratum, seed: 2 });
      const shape = holdoutShape(train, test);
      expect(shape.later).toBe(false);
      expect(shape.fraction).toBeGreaterThan(0.22);
      expect(shape.fraction).toBeLessThan(0.28);
      expect(shape.stratum).toBe(stratum);
    }
    const unstratified = splitRandomHoldout(log, { fraction: 0.25, stratum: 'none', seed: 2 });
    expect(holdoutShape(unstratified.train, unstratified.test).stratum).toBe('none');
  });

  it('files without timestamps are never read as a time split', () => {
    const b = new PurchaseLogBuilder();
    b.add('a', 'x', '1', 1, 0, 0);
    const c = new PurchaseLogBuilder();
    c.add('a', 'y', '2', 1, 0, 0);
    expect(holdoutShape(b.build(), c.build()).later).toBe(false);
  });
});
