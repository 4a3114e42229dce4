import { describe, it, expect } from 'vitest';
import { PurchaseLogBuilder } from '../../../src/ml/customers/purchase-log.ts';
import { compactLog, holdoutTargets, splitByTime } from '../../../src/ml/customers/split.ts';

const T = (day: number) => Date.UTC(2011, 0, day);

function sample() {
  const b = new PurchaseLogBuilder();
  b.add('c1', 'a', 'o1', 1, 1, T(1));
  b.add('c1', 'b', 'o1', 2, 1, T(1));
  b.add('c2', 'a', 'o2', 1, 1, T(2));
  b.add('c3', 'z', 'o3', 1, 1, T(3)); // c3 and item z only after the cutoff
  b.add('c1', 'a', 'o4', 1, 1, T(10)); // bought before: not relevant
  b.add('c1', 'c', 'o4', 1, 1, T(10)); // item c unknown in train: not relevant
  b.add('c2', 'b', 'o5', 1, 1, T(11)); // relevant
  b.add('c3', 'a', 'o6', 1, 1, T(12)); // c3 unknown in train
  return b.build();
}

describe('splitByTime', () => {
  it('splits at the cutoff without touching the input', () => {
    const log = sample();
    const snapshot = () => JSON.stringify([Array.from(log.customer), Array.from(log.item), Array.from(log.time), log.customerIds, log.itemIds]);
    const before = snapshot();
    const { train, test } = splitByTime(log, T(3));
    expect(snapshot()).toBe(before);
    expect(train.time.length).toBe(3);
    expect(train.customerIds).toEqual(['c1', 'c2']);
    expect(train.itemIds).toEqual(['a', 'b']);
    expect(test.time.length).toBe(5);
    expect(Math.min(...test.time)).toBe(T(3));
  });

  it('keeps an end bound exclusive', () => {
    expect(splitByTime(sample(), T(3), T(11)).test.time.length).toBe(3);
  });
});

describe('compactLog', () => {
  it('drops unused ids and keeps the lines', () => {
    const { test } = splitByTime(sample(), T(10));
    const c = compactLog(test);
    expect(c.customerIds).toEqual(['c1', 'c2', 'c3']);
    expect(c.itemIds).toEqual(['a', 'c', 'b']);
    expect(Array.from(c.item, (i) => c.itemIds[i])).toEqual(Array.from(test.item, (i) => test.itemIds[i]));
  });
});

describe('holdoutTargets', () => {
  it('keeps new, known items of known customers only', () => {
    const { train, test } = splitByTime(sample(), T(3));
    const targets = holdoutTargets(train, test);
    expect(Array.from(targets.users, (u) => train.customerIds[u])).toEqual(['c2']);
    expect(Array.from(targets.relevant[0]!, (i) => train.itemIds[i])).toEqual(['b']);
  });
});
