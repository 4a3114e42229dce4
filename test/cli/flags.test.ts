import { describe, expect, it } from 'vitest';
import { date, defined, modelChoice, number, oneOf, port, purchaseFormat, selectionFlags } from '../../src/cli/flags.ts';

describe('command-line flag values', () => {
  it('reads numbers by their rules and names the flag when one is wrong', () => {
    expect(number('--k', '10', { integer: true })).toBe(10);
    expect(number('--l2', '0', { zero: true })).toBe(0);
    expect(() => number('--k', '0')).toThrow("--k must be a positive number, got '0'");
    expect(() => number('--k', '2.5', { integer: true })).toThrow("--k must be a positive whole number, got '2.5'");
    expect(() => number('--hidden', '-1', { integer: true, zero: true })).toThrow("--hidden must be a non-negative whole number, got '-1'");
    expect(() => number('--k', 'ten')).toThrow(/got 'ten'/);
  });

  it('reads dates as UTC and refuses what is not one', () => {
    expect(date('--cutoff', '2011-09-09')).toBe(Date.UTC(2011, 8, 9));
    expect(date('--cutoff', '2011-09-09T12:00:00+02:00')).toBe(Date.UTC(2011, 8, 9, 10));
    expect(() => date('--cutoff', 'tomorrow')).toThrow("--cutoff 'tomorrow' is not a date (YYYY-MM-DD)");
  });

  it('checks choices, formats and ports', () => {
    expect(oneOf('--unit', 'weeks', ['days', 'weeks'])).toBe('weeks');
    expect(() => oneOf('--unit', 'months', ['days', 'weeks'])).toThrow("--unit must be one of days, weeks, got 'months'");
    expect(purchaseFormat('online-retail')).toBe('online-retail');
    expect(() => purchaseFormat('json')).toThrow("--format must be one of canonical, online-retail, got 'json'");
    expect(port('0')).toBe(0);
    expect(() => port('65536')).toThrow("--port must be 0–65535, got '65536'");
  });

  it('turns model flags into exactly the spec given, without settings left undefined', () => {
    expect(modelChoice({})).toBe('auto');
    expect(modelChoice({ model: 'ease', lambda: '50' })).toEqual({ algorithm: 'ease', lambda: 50 });
    expect(modelChoice({ model: 'als', factors: '32', weighting: 'counts', solver: 'exact' })).toEqual({ algorithm: 'als', factors: 32, weighting: 'counts', solver: 'exact' });
    expect(modelChoice({ model: 'knn' })).toEqual({ algorithm: 'knn' });
    expect(() => modelChoice({ model: 'als', weighting: 'tfidf' })).toThrow("--weighting must be one of binary, counts, log, recency, got 'tfidf'");
    expect(() => modelChoice({ model: 'svd' })).toThrow("--model must be ease, als, knn, rp3beta, popularity or auto, got 'svd'");
    expect(selectionFlags({ 'inner-cutoff': '2011-06-01', 'als-budget': '0' })).toEqual({ innerCutoff: Date.UTC(2011, 5, 1), alsBudget: 0 });
    expect(selectionFlags({})).toEqual({});
    expect(defined({ a: 1, b: undefined })).toEqual({ a: 1 });
  });
});
