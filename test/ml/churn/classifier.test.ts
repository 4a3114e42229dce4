import { describe, it, expect } from 'vitest';
import { splitByGroup } from '../../../src/ml/churn/classifier.ts';

describe('splitByGroup', () => {
  // stacked windows: the same customer appears once per window, rows in window order
  const customers = 1000;
  const windows = 6;
  // customer ids are sparse and unordered, as log indices of the customers a window covers
  const groups = Int32Array.from({ length: customers * windows }, (_, i) => ((i % customers) * 7919) % 100_003);

  it('keeps every customer on one side and validates about the requested share of customers', () => {
    const { fitIdx, valIdx } = splitByGroup(groups, 0.25, 42);
    expect(fitIdx.length + valIdx.length).toBe(groups.length);
    const fitGroups = new Set(Array.from(fitIdx, (i) => groups[i]!));
    const valGroups = new Set(Array.from(valIdx, (i) => groups[i]!));
    for (const g of valGroups) expect(fitGroups.has(g)).toBe(false);
    const share = valGroups.size / (valGroups.size + fitGroups.size);
    expect(share).toBeGreaterThan(0.24);
    expect(share).toBeLessThan(0.26);
    expect(new Set([...fitIdx, ...valIdx]).size).toBe(groups.length);
  });

  it('is reproducible for a seed and differs between seeds', () => {
    expect(splitByGroup(groups, 0.25, 42).valIdx).toEqual(splitByGroup(groups, 0.25, 42).valIdx);
    expect(splitByGroup(groups, 0.25, 43).valIdx).not.toEqual(splitByGroup(groups, 0.25, 42).valIdx);
  });

  it('leaves at least one customer on each side, and refuses a single customer', () => {
    const two = Int32Array.from([5, 5, 9, 9]);
    const { fitIdx, valIdx } = splitByGroup(two, 0.99, 1);
    expect(fitIdx.length).toBe(2);
    expect(valIdx.length).toBe(2);
    expect(() => splitByGroup(Int32Array.from([3, 3, 3]), 0.25, 1)).toThrow(/two customers/);
  });
});
