import { describe, expect, it } from 'vitest';
import { LookupBatcher } from '../../src/services/lookup-batcher.ts';

/** A load that records its calls and finds the even numbers, valued ×10. */
function evens() {
  const calls: number[][] = [];
  const load = async (keys: readonly number[]) => {
    calls.push([...keys]);
    return new Map(keys.filter((k) => k % 2 === 0).map((k) => [k, k * 10]));
  };
  return { calls, load };
}

describe('LookupBatcher', () => {
  it('answers the lookups of one turn with one load, each key once', async () => {
    const { calls, load } = evens();
    const b = new LookupBatcher(load);
    const got = await Promise.all([b.get(2), b.get(3), b.get(2), b.get(8)]);
    expect(got).toEqual([20, undefined, 20, 80]);
    expect(calls).toEqual([[2, 3, 8]]);
  });

  it('starts a new batch for lookups made after the flush, and caps a batch at maxBatch keys', async () => {
    const { calls, load } = evens();
    const b = new LookupBatcher(load, { maxBatch: 2 });
    expect(await Promise.all([1, 2, 3, 4, 6].map((k) => b.get(k)))).toEqual([undefined, 20, undefined, 40, 60]);
    expect(await b.get(10)).toBe(100);
    expect(calls).toEqual([[1, 2], [3, 4], [6], [10]]);
  });

  it('rejects every lookup of a batch whose load fails, and the next batch goes on', async () => {
    let fail = true;
    const b = new LookupBatcher<number, number>(async (keys) => {
      if (fail) throw new Error('database away');
      return new Map(keys.map((k) => [k, k]));
    });
    const results = await Promise.allSettled([b.get(1), b.get(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await b.get(5)).toBe(5);
  });

  it('holds lookups while maxInFlight loads are out and sends them together when one comes back', async () => {
    const calls: number[][] = [];
    const pending: (() => void)[] = [];
    const b = new LookupBatcher<number, number>(
      (keys) =>
        new Promise((resolve) => {
          calls.push([...keys]);
          pending.push(() => resolve(new Map(keys.map((k) => [k, -k]))));
        }),
      { maxInFlight: 1 },
    );
    const first = b.get(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 2].map((k) => b.get(k));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1]]);
    pending.shift()!();
    expect(await first).toBe(-1);
    // the load's end is seen after its answers are handed out; its flush follows in a later turn
    for (let turn = 0; turn < 2; turn++) await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([[1], [2, 3]]);
    pending.shift()!();
    expect(await Promise.all(later)).toEqual([-2, -3, -2]);
  });

  it('refuses a batch size or a number in flight below one', () => {
    expect(() => new LookupBatcher(async () => new Map(), { maxBatch: 0 })).toThrow(RangeError);
    expect(() => new LookupBatcher(async () => new Map(), { maxInFlight: 0 })).toThrow(RangeError);
  });
});
