import { describe, it, expect, beforeAll } from 'vitest';
import { PurchaseLogBuilder, type PurchaseLog } from '../../../src/ml/customers/purchase-log.ts';
import { createRng } from '../../../src/ml/numeric/rng.ts';
import { initTf } from '../../../src/ml/numeric/tf.ts';
import { resolveSpec } from '../../../src/ml/cf/fit.ts';
import type { ModelSpec } from '../../../src/ml/cf/registry.ts';
import { chooseWithinNoise, selectModel, type Scored } from '../../../src/ml/cf/selection.ts';
import { beatsBeyondNoise, summarise, validationFolds } from '../../../src/ml/cf/validation.ts';
import { evaluateSpec } from '../../../src/ml/cf/offline-evaluation.ts';

const DAY = 86_400_000;
const START = Date.UTC(2020, 0, 1);

/**
 * 300 customers in 6 taste groups, each group with 10 items of its own; until day 200 customers
 * buy 8 of their group's items, from day 200 on only trend items (5 of 10, the same for every
 * group). A later time window holds nothing but the trend, which recent popularity ranks best; a
 * random holdout holds mostly group items, which only a collaborative model can tell apart.
 */
function drifting(): PurchaseLog {
  const rng = createRng(21);
  const b = new PurchaseLogBuilder();
  for (let c = 0; c < 300; c++) {
    const group = c % 6;
    const pick = (n: number, of: number) => {
      const s = new Set<number>();
      while (s.size < n) s.add(rng.int(of));
      return [...s];
    };
    for (const i of pick(8, 10)) b.add(`c${c}`, `g${group}-${i}`, `o${c}-g${i}`, 1, 1, START + rng.int(200) * DAY);
    for (const i of pick(5, 10)) b.add(`c${c}`, `trend-${i}`, `o${c}-t${i}`, 1, 1, START + (200 + rng.int(100)) * DAY);
  }
  return b.build();
}

beforeAll(async () => {
  await initTf();
});

describe('selection mirrors the validation it is given', () => {
  const log = drifting();
  const settings = { alsBudget: 0, blendWeights: [] as number[] };

  it('time windows choose recent popularity, random holdouts a collaborative model', () => {
    const byTime = selectModel(log, { ...settings, plan: { mode: 'time', innerCutoff: START + 230 * DAY, stepDays: 20, folds: 2 } });
    const byRandom = selectModel(log, { ...settings, plan: { mode: 'random', fraction: 0.25, stratum: 'customer', folds: 2, seed: 3 } });
    expect(byTime.best).toMatchObject({ algorithm: 'popularity', windowDays: 30 });
    expect(byRandom.best.algorithm).not.toBe('popularity');
    const score = (s: typeof byTime, algorithm: string) => Math.max(...s.trials.filter((t) => t.spec.algorithm === algorithm).map((t) => t.ndcg.mean));
    // the two validations rank the same two families in opposite orders
    expect(score(byTime, 'popularity')).toBeGreaterThan(score(byTime, 'ease'));
    expect(score(byRandom, 'ease')).toBeGreaterThan(score(byRandom, 'popularity'));
  });

  it('every trial reports a mean and a spread over the folds, or its first fold when it was stopped there', () => {
    const s = selectModel(log, { ...settings, plan: { mode: 'random', fraction: 0.25, stratum: 'customer', folds: 2, seed: 3 } });
    expect(s.folds).toHaveLength(2);
    expect(s.seconds).toBeGreaterThan(0);
    for (const t of s.trials) {
      expect(t.ndcg.perFold).toHaveLength(t.pruned ? 1 : 2);
      expect(t.ndcg.spread).toBeGreaterThanOrEqual(0);
    }
  });

  it('stops only candidates more than the margin behind their family’s best on the first fold', () => {
    const plan = { mode: 'random', fraction: 0.25, stratum: 'customer', folds: 2, seed: 3 } as const;
    const full = selectModel(log, { ...settings, plan, pruneMargin: Infinity });
    const pruned = selectModel(log, { ...settings, plan, pruneMargin: 0.02 });
    expect(full.trials.some((t) => t.pruned)).toBe(false);
    const stopped = pruned.trials.filter((t) => t.pruned);
    expect(stopped.length).toBeGreaterThan(0);
    for (const t of pruned.trials) {
      const same = full.trials.find((f) => JSON.stringify(f.spec) === JSON.stringify(t.spec))!;
      // the same fits on the same folds: pruning changes which folds are scored, not the scores
      expect(t.ndcg.perFold[0]).toBe(same.ndcg.perFold[0]);
      const familyBest = Math.max(...full.trials.filter((f) => f.spec.algorithm === t.spec.algorithm).map((f) => f.ndcg.perFold[0]!));
      expect(t.pruned).toBe(t.ndcg.perFold[0]! < familyBest * 0.98);
    }
    for (const algorithm of new Set(pruned.trials.map((t) => t.spec.algorithm))) {
      expect(pruned.trials.some((t) => t.spec.algorithm === algorithm && !t.pruned)).toBe(true);
    }
    // nothing stopped was the winner of the full run
    expect(stopped.map((t) => JSON.stringify(t.spec))).not.toContain(JSON.stringify(full.best));
  });

  it('blends each other family through its candidate that blended best with the default family on the first fold', () => {
    const s = selectModel(log, { alsBudget: 0, blendWeights: [0.8, 0.5], plan: { mode: 'random', fraction: 0.25, stratum: 'customer', folds: 2, seed: 3 } });
    type Blend = { algorithm: 'blend'; parts: ModelSpec[]; weights: number[] };
    const pairs = s.trials.filter((t) => t.spec.algorithm === 'blend' && (t.spec as Blend).parts.length === 2 && (t.spec as Blend).weights[0] === 0.8);
    const partnerFamilies = new Set(pairs.filter((t) => !t.pruned).map((t) => (t.spec as Blend).parts[1]!.algorithm));
    expect(partnerFamilies.size).toBeGreaterThanOrEqual(2);
    for (const family of partnerFamilies) {
      const ofFamily = pairs.filter((t) => (t.spec as Blend).parts[1]!.algorithm === family);
      const chosen = ofFamily.filter((t) => !t.pruned);
      // one partner per family, scored on every fold; every other candidate of the family was only probed
      expect(chosen).toHaveLength(1);
      expect(chosen[0]!.ndcg.perFold).toHaveLength(2);
      expect(ofFamily.length).toBe(s.trials.filter((t) => t.spec.algorithm === family).length);
      for (const probe of ofFamily) expect(chosen[0]!.ndcg.perFold[0]).toBeGreaterThanOrEqual(probe.ndcg.perFold[0]!);
      // the partner itself is fitted and scored on every fold even when it was behind its family alone
      const part = JSON.stringify((chosen[0]!.spec as Blend).parts[1]);
      const candidate = s.trials.find((t) => t.spec.algorithm === family && JSON.stringify(resolveSpec(t.spec)) === part)!;
      expect(candidate.pruned).toBe(false);
    }
  });
});

describe('memory handed back between trials', () => {
  it('changes no score: every trial, blends included, scores as its spec fitted and evaluated on its own', () => {
    // selection reuses the shared memory of the models and blend parts it has dropped (threads.ts):
    // a model handed back while still in use would be overwritten by the next fit of its shape
    const log = drifting();
    const plan = { mode: 'random', fraction: 0.25, stratum: 'customer', folds: 2, seed: 3 } as const;
    const s = selectModel(log, { alsBudget: 0, blendWeights: [0.8, 0.5], plan });
    const folds = validationFolds(log, plan);
    expect(s.trials.filter((t) => t.spec.algorithm === 'ease').length).toBeGreaterThan(2);
    expect(s.trials.some((t) => t.spec.algorithm === 'blend' && !t.pruned)).toBe(true);
    for (const t of s.trials) {
      t.ndcg.perFold.forEach((score, f) => {
        const alone = evaluateSpec(folds[f]!.train, folds[f]!.validation, t.spec, 10).perUser;
        expect(alone.reduce((a, b) => a + b, 0) / alone.length).toBeCloseTo(score, 12);
      });
    }
  });
});

describe('the final choice by the one-standard-error rule', () => {
  // per-customer nDCG on two folds of 400 customers: a common base, plus a candidate's lift and
  // a swing of +-`swing` on alternate customers (the per-customer noise of its difference to others)
  const base = [0, 1].map((f) => Float64Array.from({ length: 400 }, (_, j) => 0.2 + 0.1 * Math.sin(j * 7 + f)));
  const candidate = (spec: ModelSpec, lift: number, swing: number): Scored => {
    const scores = { perUser: base.map((fold) => fold.map((v, j) => v + lift + (j % 2 === 0 ? swing : -swing))) };
    return { trial: { spec, ndcg: summarise(scores), fitSeconds: 0, pruned: false }, scores };
  };
  const ease: ModelSpec = { algorithm: 'ease', lambda: 500 };
  const knn: ModelSpec = { algorithm: 'knn', neighbours: 20 };
  const pop: ModelSpec = { algorithm: 'popularity', windowDays: 30 };
  const pair: ModelSpec = { algorithm: 'blend', parts: [ease, knn], weights: [0.8, 0.2] };
  const triple: ModelSpec = { algorithm: 'blend', parts: [ease, knn, pop], weights: [0.7, 0.2, 0.1] };

  it('keeps the default family when the leader is ahead of it by less than one standard error', () => {
    const chosen = chooseWithinNoise([candidate(ease, 0, 0), candidate(pair, 0.001, 0.05)], 'ease');
    expect(chosen.rule).toBe('default');
    expect(chosen.chosen.trial.spec).toBe(ease);
  });

  it('takes the blend with fewer parts when the three-part leader is ahead of it within noise, and the leader when beyond', () => {
    // the pair 0.03 ahead of EASE on every customer; the triple 0.001 ahead of the pair with a
    // swing of 0.05 (standard error ~0.0018), or 0.03 ahead with a swing of 0.01 (~0.0004)
    const plain = candidate(ease, 0, 0);
    const two = candidate(pair, 0.03, 0);
    const close = candidate(triple, 0.031, 0.05);
    const far = candidate(triple, 0.06, 0.01);
    expect(beatsBeyondNoise(close.scores, two.scores)).toBe(false);
    expect(chooseWithinNoise([plain, two, close], 'ease')).toEqual({ chosen: two, rule: 'fewer parts' });
    expect(beatsBeyondNoise(far.scores, two.scores)).toBe(true);
    expect(chooseWithinNoise([plain, two, far], 'ease')).toEqual({ chosen: far, rule: 'leader' });
    // a lone leader, or a default-family leader, is the choice
    expect(chooseWithinNoise([two], 'ease').rule).toBe('leader');
    expect(chooseWithinNoise([candidate(ease, 0.05, 0), two], 'ease').rule).toBe('leader');
  });
});
