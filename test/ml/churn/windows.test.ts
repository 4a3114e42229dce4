import { describe, it, expect } from 'vitest';
import { churnLabels, churnWindows, lastPurchaseTime } from '../../../src/ml/churn/windows.ts';
import { DAY_MS, PurchaseLogBuilder } from '../../../src/ml/customers/purchase-log.ts';

const t = (s: string): number => Date.parse(`${s}T00:00:00Z`);

describe('churnWindows', () => {
  it('puts the training cutoff one horizon before the cutoff (Online Retail: 92 days → 2011-06-09)', () => {
    const w = churnWindows(t('2011-09-09'), 92);
    expect(new Date(w.trainCutoff).toISOString().slice(0, 10)).toBe('2011-06-09');
    expect(new Date(w.horizonEnd).toISOString().slice(0, 10)).toBe('2011-12-10');
    expect(() => churnWindows(t('2011-09-09'), 0)).toThrow(/positive/);
  });
});

describe('churnLabels', () => {
  it('labels 1 exactly the customers without a line in [from, to)', () => {
    const b = new PurchaseLogBuilder();
    b.add('a', 'x', 'o1', 1, 1, t('2011-01-01'));
    b.add('a', 'x', 'o2', 1, 1, t('2011-02-01')); // inside
    b.add('b', 'x', 'o3', 1, 1, t('2011-01-01'));
    b.add('b', 'x', 'o4', 1, 1, t('2011-03-01')); // exactly at `to`: outside
    b.add('c', 'x', 'o5', 1, 1, t('2011-01-31') + DAY_MS - 1); // one ms before `from`: outside
    const log = b.build();
    const labels = churnLabels(log, Int32Array.from([0, 1, 2]), t('2011-02-01'), t('2011-03-01'));
    expect([...labels]).toEqual([0, 1, 1]);
    expect(lastPurchaseTime(log)).toBe(t('2011-03-01'));
  });
});

describe('trainChurnModel input checks', () => {
  it('refuses a log without history before the training window, and one-outcome labels, with clear messages', async () => {
    const { trainChurnModel } = await import('../../../src/ml/churn/train.ts');
    const b = new PurchaseLogBuilder();
    b.add('a', 'x', 'o1', 1, 1, t('2011-05-01'));
    b.add('b', 'x', 'o2', 1, 1, t('2011-05-02'));
    await expect(trainChurnModel(b.build(), t('2011-06-01'), { horizonDays: 90 })).rejects.toThrow(/not enough history/);
    // both customers buy nothing after their first order: everyone churned in every window
    await expect(trainChurnModel(b.build(), t('2011-09-01'), { horizonDays: 30, windows: 1 })).rejects.toThrow(/both outcomes/);
  });
});
