import { describe, it, expect } from 'vitest';
import { PurchaseLogBuilder, type PurchaseLog } from '../../../src/ml/customers/purchase-log.ts';
import { splitByTime } from '../../../src/ml/customers/split.ts';
import { splitRandomHoldout } from '../../../src/ml/customers/random-split.ts';
import { beatsBeyondNoise, pairedDifference, planFor, summarise, validationFolds } from '../../../src/ml/cf/validation.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';

const DAY = 86_400_000;
const START = Date.UTC(2020, 0, 1);

function shop(): PurchaseLog {
  const rng = createRng(9);
  const b = new PurchaseLogBuilder();
  for (let c = 0; c < 80; c++) for (let l = 0; l < 12; l++) b.add(`c${c}`, `i${rng.int(40)}`, `o${c}-${l}`, 1, 1, START + rng.int(360) * DAY);
  return b.build();
}

describe('validationFolds', () => {
  const log = shop();

  it('time folds: the latest window first, then windows shifted back by the step, each training only before its window', () => {
    const folds = validationFolds(log, { mode: 'time', innerCutoff: START + 300 * DAY, stepDays: 30, folds: 2 });
    expect(folds.map((f) => f.label)).toEqual(['time [2020-10-27, 2020-12-25)', 'time [2020-09-27, 2020-11-25)']);
    folds.forEach((f, k) => {
      const cutoff = START + (300 - 30 * k) * DAY;
      expect(Math.max(...f.train.time)).toBeLessThan(cutoff);
      expect(Math.min(...f.validation.time)).toBeGreaterThanOrEqual(cutoff);
    });
    // the second window ends 30 days before the end of the data
    expect(Math.max(...folds[1]!.validation.time)).toBeLessThan(START + 330 * DAY);
  });

  it('random folds: one seeded holdout per fold, different from each other', () => {
    const folds = validationFolds(log, { mode: 'random', fraction: 0.25, stratum: 'customer', folds: 3, seed: 4 });
    expect(folds).toHaveLength(3);
    const signature = (l: PurchaseLog) => Array.from(l.time).join(',');
    expect(signature(folds[0]!.validation)).not.toBe(signature(folds[1]!.validation));
    for (const f of folds) expect(f.train.customer.length + f.validation.customer.length).toBe(log.customer.length);
  });
});

describe('planFor', () => {
  const log = shop();
  const options = { mode: 'auto' as const, windowDays: 92, folds: 2, seed: 1 };

  it('a cutoff split asks for time windows ending where the train ends', () => {
    const { train, test } = splitByTime(log, START + 300 * DAY);
    const { plan, reason } = planFor(train, test, options);
    expect(plan).toMatchObject({ mode: 'time', folds: 2, stepDays: 46 });
    expect(plan.mode === 'time' && plan.innerCutoff).toBe(START + (299 - 91) * DAY);
    expect(reason).toMatch(/after/);
  });

  it('a random split asks for random holdouts of the same shape', () => {
    const { train, test } = splitRandomHoldout(log, { fraction: 0.25, stratum: 'customer', seed: 8 });
    const { plan, reason } = planFor(train, test, options);
    expect(plan.mode).toBe('random');
    if (plan.mode === 'random') {
      expect(plan.stratum).toBe('customer');
      expect(plan.fraction).toBeCloseTo(0.25, 1);
    }
    expect(reason).toMatch(/not later.*2\d\.\d% of the pairs, stratified per customer/);
  });

  it('a forced mode wins over the files: random holdouts of a quarter per customer on a time split', () => {
    const { train, test } = splitByTime(log, START + 300 * DAY);
    const { plan, reason } = planFor(train, test, { ...options, mode: 'random' });
    expect(plan).toMatchObject({ mode: 'random', fraction: 0.25, stratum: 'customer' });
    expect(reason).toMatch(/asked for/);
  });
});

describe('scores across folds', () => {
  const a = { perUser: [Float64Array.from([0.5, 0.3, 0.1]), Float64Array.from([0.2, 0.4])] };
  const b = { perUser: [Float64Array.from([0.4, 0.3, 0.1]), Float64Array.from([0.2, 0.1])] };

  it('summarise: mean of fold means, sample standard deviation of them', () => {
    const s = summarise(a);
    expect(s.perFold[0]).toBeCloseTo(0.3, 12);
    expect(s.perFold[1]).toBeCloseTo(0.3, 12);
    expect(s.mean).toBeCloseTo(0.3, 12);
    expect(s.spread).toBeCloseTo(0, 12);
    expect(summarise(b).spread).toBeCloseTo(Math.abs(0.8 / 3 - 0.15) / Math.SQRT2, 12);
  });

  it('pairedDifference pools every fold\'s customers (worked by hand)', () => {
    // differences 0.1, 0, 0, 0, 0.3: mean 0.08, sample variance (0.01 + 0.09 - 5 * 0.0064) / 4 = 0.017
    const { difference, standardError } = pairedDifference(a, b);
    expect(difference).toBeCloseTo(0.08, 12);
    expect(standardError).toBeCloseTo(Math.sqrt(0.017 / 5), 12);
    // 0.08 > 0.0583: a beats b beyond the noise; b never beats a
    expect(beatsBeyondNoise(a, b)).toBe(true);
    expect(beatsBeyondNoise(b, a)).toBe(false);
  });

  it('a lead smaller than one standard error keeps the default', () => {
    const noisy = { perUser: [Float64Array.from([0.9, 0, 0.5, 0.1])] };
    const base = { perUser: [Float64Array.from([0, 0.8, 0.5, 0.1])] };
    expect(pairedDifference(noisy, base).difference).toBeCloseTo(0.025, 12);
    expect(beatsBeyondNoise(noisy, base)).toBe(false);
  });
});
