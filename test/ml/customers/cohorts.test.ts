import { describe, it, expect } from 'vitest';
import { cohortTable, monthLabel } from '../../../src/ml/customers/cohorts.ts';

describe('cohortTable', () => {
  it('turns (cohort, month, customers) counts into shares of each cohort, up to the last month', () => {
    const jan = 2011 * 12;
    const t = cohortTable([
      { cohortMonth: jan, activeMonth: jan, customers: 10 },
      { cohortMonth: jan, activeMonth: jan + 2, customers: 4 },
      { cohortMonth: jan + 1, activeMonth: jan + 1, customers: 5 },
      { cohortMonth: jan + 1, activeMonth: jan + 2, customers: 1 },
    ]);
    expect(t.cohorts).toEqual([jan, jan + 1]);
    expect(t.sizes).toEqual([10, 5]);
    expect(t.share).toEqual([[1, 0, 0.4], [1, 0.2]]);
    expect(monthLabel(jan + 1)).toBe('2011-02');
    expect(() => cohortTable([{ cohortMonth: jan, activeMonth: jan - 1, customers: 1 }])).toThrow(/precedes/);
  });
});
