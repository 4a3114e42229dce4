import { describe, it, expect, vi, afterEach } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/cli/commands/evaluate.ts';

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await run(argv), out };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

describe('retain evaluate', () => {
  it('scores explicit train/test files by the reference protocol (worked example)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'retain-eval-'));
    const train = join(dir, 'train.csv');
    const test = join(dir, 'test.csv');
    // buyers: a 4, b 3, c 2, d 1
    await writeFile(train, 'user,item\nu1,a\nu2,a\nu2,b\nu3,a\nu3,b\nu3,c\nu4,a\nu4,b\nu4,c\nu4,d\n');
    // u1: b relevant, x unknown item; u2: d relevant; u3: a bought before; u5 unknown customer
    await writeFile(test, 'u1,b\nu1,x\nu2,d\nu3,a\nu5,a\n');
    const { code, out } = await capture(['--train', train, '--test', test, '--model', 'popularity', '--k', '2', '--json']);
    expect(code).toBe(0);
    const r = JSON.parse(out).report;
    // u1 gets [b, c] (hit at 1), u2 gets [c, d] (hit at 2)
    expect(r.users).toBe(2);
    expect(r.precision).toBeCloseTo(0.5, 12);
    expect(r.recall).toBeCloseTo(1, 12);
    expect(r.ndcg).toBeCloseTo((1 + Math.log(2) / Math.log(3)) / 2, 12);
    expect(r.map).toBeCloseTo(0.75, 12);
    expect(r.coverage).toBeCloseTo(0.75, 12);
  });

  it('splits a purchase file at a cutoff and prints a table (Online Retail, popularity)', async () => {
    const { code, out } = await capture(['--file', 'data/online-retail/online_retail_lines.csv.gz', '--format', 'online-retail', '--cutoff', '2011-09-09', '--model', 'popularity']);
    expect(code).toBe(0);
    expect(out).toMatch(/test users\s+1854/);
    const ndcg = Number(/ndcg@10\s+([0-9.]+)/.exec(out)?.[1]);
    expect(ndcg).toBeCloseTo(0.05063, 3);
  });

  it('with --model auto prints every candidate, the choice and the time selection took', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'retain-eval-auto-'));
    // 90 customers in 3 taste groups of 8 items; each buys 6 of its group's items (4 in train, 2 in test)
    const lines = (from: number, to: number) =>
      Array.from({ length: 90 }, (_, u) => Array.from({ length: to - from }, (_, j) => `u${u},g${u % 3}-${(u + 3 * (from + j)) % 8}`).join('\n')).join('\n');
    await writeFile(join(dir, 'train.csv'), `user,item\n${lines(0, 4)}\n`);
    await writeFile(join(dir, 'test.csv'), `${lines(4, 6)}\n`);
    const { code, out } = await capture(['--train', join(dir, 'train.csv'), '--test', join(dir, 'test.csv'), '--model', 'auto', '--k', '5']);
    expect(code).toBe(0);
    expect(out).toMatch(/^validation: random/m);
    expect(out).toMatch(/^ease lambda=500\s+[0-9.]+ (± [0-9.]+|\(fold 1 only\))\s+[0-9.]+$/m);
    expect(out).toMatch(/^chosen: /m);
    const timing = /^selection: (\d+) candidates in ([0-9.]+) s$/m.exec(out);
    expect(Number(timing?.[1])).toBeGreaterThan(10);
    expect(Number(timing?.[2])).toBeGreaterThan(0);
  });

  it('refuses incomplete or mixed data options', async () => {
    await expect(run(['--model', 'ease'])).rejects.toThrow(/--file PATH --cutoff DATE, or --train PATH --test PATH/);
    await expect(run(['--train', 'a.csv'])).rejects.toThrow(/go together/);
    await expect(run(['--train', 'a', '--test', 'b', '--model', 'svd'])).rejects.toThrow(/--model must be/);
  });
});
