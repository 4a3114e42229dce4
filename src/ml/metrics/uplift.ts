// The statistics of a randomized holdout: how much more an arm converted and earned than the
// control, with intervals that keep their coverage at shop-sized samples.
//
// - conversion: Newcombe's hybrid score interval (Newcombe 1998, method 10) for p_arm − p_control,
//   built from the two Wilson score intervals, and the two-sided pooled two-proportion z-test;
// - revenue per member: Welch's t interval (unequal variances, Welch–Satterthwaite degrees of
//   freedom); revenue per member is heavy-tailed (most members spend 0), the interval is
//   asymptotic, and the simulation test in test/ml/metrics/uplift.test.ts checks its coverage.
import { normalCdf, normalQuantile, studentTQuantile } from '../numeric/distributions.ts';

export type Interval = [lo: number, hi: number];

/** n, mean and sample variance (denominator n − 1) of a per-member measure. */
export interface SampleSummary {
  n: number;
  mean: number;
  variance: number;
}

/** Two-sided critical value of the standard normal: 1.959964 for 0.95. */
export function zCritical(confidence: number): number {
  return normalQuantile(1 - (1 - confidence) / 2);
}

/**
 * Wilson score interval for a proportion x / n (Wilson 1927):
 * (2x + z² ± z √(z² + 4x(1 − x/n))) / (2(n + z²)). [0, 1] when n = 0.
 */
export function wilsonInterval(x: number, n: number, confidence = 0.95): Interval {
  if (n === 0) return [0, 1];
  const z = zCritical(confidence);
  const z2 = z * z;
  const centre = 2 * x + z2;
  const spread = z * Math.sqrt(z2 + 4 * x * (1 - x / n));
  const denominator = 2 * (n + z2);
  // at x = 0 or x = n the bound is exact: keep rounding from putting it a hair outside [0, 1]
  return [x === 0 ? 0 : (centre - spread) / denominator, x === n ? 1 : (centre + spread) / denominator];
}

/**
 * Newcombe's hybrid score interval for the difference of two independent proportions
 * p1 − p2 = x1/n1 − x2/n2 (Newcombe 1998, method 10): with Wilson intervals (l1, u1), (l2, u2),
 * lower = d − √((p1 − l1)² + (u2 − p2)²), upper = d + √((u1 − p1)² + (p2 − l2)²).
 */
export function newcombeInterval(x1: number, n1: number, x2: number, n2: number, confidence = 0.95): Interval {
  if (n1 === 0 || n2 === 0) return [-1, 1];
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const [l1, u1] = wilsonInterval(x1, n1, confidence);
  const [l2, u2] = wilsonInterval(x2, n2, confidence);
  const d = p1 - p2;
  return [d - Math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + Math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)];
}

/**
 * Two-sided p-value of the pooled two-proportion z-test of H0: p1 = p2,
 * z = (p1 − p2) / √(p̂(1 − p̂)(1/n1 + 1/n2)) with p̂ = (x1 + x2)/(n1 + n2). 1 when nobody or
 * everybody converted (no evidence either way), NaN when a group is empty.
 */
export function twoProportionPValue(x1: number, n1: number, x2: number, n2: number): number {
  if (n1 === 0 || n2 === 0) return Number.NaN;
  const pooled = (x1 + x2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (se === 0) return 1;
  const z = Math.abs(x1 / n1 - x2 / n2) / se;
  return Math.min(1, 2 * normalCdf(-z));
}

export interface WelchResult {
  /** mean1 − mean2. */
  difference: number;
  interval: Interval;
  /** Welch–Satterthwaite degrees of freedom. */
  df: number;
}

/**
 * Welch's t interval for mean1 − mean2 (Welch 1947): d ± t(df) · √(s1²/n1 + s2²/n2), with
 * df = (s1²/n1 + s2²/n2)² / ((s1²/n1)²/(n1 − 1) + (s2²/n2)²/(n2 − 1)). Undefined with fewer than
 * two observations in a group; a zero-width interval when both groups are constant.
 */
export function welchInterval(a: SampleSummary, b: SampleSummary, confidence = 0.95): WelchResult | undefined {
  if (a.n < 2 || b.n < 2) return undefined;
  const difference = a.mean - b.mean;
  const va = a.variance / a.n;
  const vb = b.variance / b.n;
  const se = Math.sqrt(va + vb);
  if (se === 0) return { difference, interval: [difference, difference], df: Infinity };
  const df = (va + vb) ** 2 / (va ** 2 / (a.n - 1) + vb ** 2 / (b.n - 1));
  const t = studentTQuantile(1 - (1 - confidence) / 2, df);
  return { difference, interval: [difference - t * se, difference + t * se], df };
}

/** n, mean and sample variance of `values` (two-pass, so large means do not cancel the variance away). */
export function sampleSummary(values: ArrayLike<number>): SampleSummary {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = n === 0 ? 0 : sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  return { n, mean, variance: n < 2 ? 0 : squares / (n - 1) };
}

/** One arm's outcome: members, how many bought, and the per-member revenue summary. */
export interface ArmOutcome {
  members: number;
  purchasers: number;
  revenue: SampleSummary;
}

export interface VersusControl {
  conversionDiff: number;
  conversionDiffCi: Interval;
  pValue: number;
  revenuePerMemberDiff: number;
  /** Null when a group has fewer than two members. */
  revenuePerMemberDiffCi: Interval | null;
  /** (revenue per member of the arm − of the control) × the arm's members. */
  incrementalRevenue: number;
}

/** An arm against the control: conversion difference, revenue-per-member difference, incremental revenue. */
export function compareToControl(arm: ArmOutcome, control: ArmOutcome, confidence = 0.95): VersusControl {
  const rate = (o: ArmOutcome) => (o.members === 0 ? 0 : o.purchasers / o.members);
  const welch = welchInterval(arm.revenue, control.revenue, confidence);
  const revenuePerMemberDiff = arm.revenue.mean - control.revenue.mean;
  return {
    conversionDiff: rate(arm) - rate(control),
    conversionDiffCi: newcombeInterval(arm.purchasers, arm.members, control.purchasers, control.members, confidence),
    pValue: twoProportionPValue(arm.purchasers, arm.members, control.purchasers, control.members),
    revenuePerMemberDiff,
    revenuePerMemberDiffCi: welch ? welch.interval : null,
    incrementalRevenue: revenuePerMemberDiff * arm.members,
  };
}
