import { describe, it, expect, afterAll } from 'vitest';
import { fillLowerRows } from '../../../src/ml/numeric/linalg.ts';
import { recycleShared, runParallel, setThreadCount, sharedFloat32, splitRange, threadCount, withSpares } from '../../../src/ml/numeric/threads.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';

afterAll(() => setThreadCount(undefined));

describe('thread pool', () => {
  it('cuts a range into contiguous parts of about equal cost', () => {
    expect(Array.from(splitRange(10, 3))).toEqual([0, 3, 7, 10]);
    // costs 1..8: total 36, a half is 18 (1+..+5 = 15 < 18 <= 21)
    expect(Array.from(splitRange(8, 2, (i) => i + 1))).toEqual([0, 6, 8]);
    expect(Array.from(splitRange(1, 3))).toEqual([0, 0, 1, 1]);
  });

  it('defaults to every core and refuses a bad count', () => {
    setThreadCount(undefined);
    expect(threadCount()).toBeGreaterThanOrEqual(1);
    expect(() => setThreadCount(0)).toThrow(RangeError);
    setThreadCount(2);
    expect(threadCount()).toBe(2);
  });

  it('runs shares on a worker over shared memory and reports a worker error after all shares stop', async () => {
    await initTf();
    const n = 4;
    const a = sharedFloat32(n * n);
    for (let r = 0; r < n; r++) for (let c = r; c < n; c++) a[r * n + c] = 10 * r + c;
    runParallel(fillLowerRows, [
      { a, n, from: 0, to: 2 },
      { a, n, from: 2, to: 4 },
    ]);
    // row 3 was written by the worker
    expect(Array.from(a.subarray(3 * n, 4 * n))).toEqual([3, 13, 23, 33]);
    expect(() =>
      runParallel(fillLowerRows, [
        { a, n, from: 0, to: 1 },
        { a: undefined as unknown as Float32Array, n, from: 1, to: 2 },
      ]),
    ).toThrow(/in a worker thread/);
    // the pool still works after a failed job: a changed upper cell reaches the lower triangle
    a[3] = 7;
    runParallel(fillLowerRows, [
      { a, n, from: 0, to: 2 },
      { a, n, from: 2, to: 4 },
    ]);
    expect(a[3 * n]).toBe(7);
  });
});

describe('spare shared buffers', () => {
  it('inside withSpares, gives a handed-back buffer to the next array of its size, zeroed, once', () => {
    withSpares(() => {
      const a = sharedFloat32(1000).fill(3);
      recycleShared([a, a]); // twice: still one spare
      const b = sharedFloat32(1000);
      expect(b.buffer).toBe(a.buffer);
      expect(b.every((v) => v === 0)).toBe(true);
      expect(sharedFloat32(1000).buffer).not.toBe(a.buffer);
    });
  });

  it('passes over arrays it cannot hand out whole, keeps nothing outside withSpares or after it', () => {
    const whole = sharedFloat32(64);
    withSpares(() => {
      recycleShared([new Float32Array(64), whole.subarray(0, 32), new Float32Array(whole.buffer, 128, 32)]);
      expect(sharedFloat32(64).buffer).not.toBe(whole.buffer);
      recycleShared([whole]);
    });
    expect(sharedFloat32(64).buffer).not.toBe(whole.buffer);
    const outside = sharedFloat32(64);
    recycleShared([outside]);
    withSpares(() => expect(sharedFloat32(64).buffer).not.toBe(outside.buffer));
  });
});
