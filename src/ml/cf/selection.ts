// Model selection on validation folds inside the training data, judged the way the model will be
// (validation.ts: later time windows for a shop tested on a later window, random holdouts of the
// test's shape for one tested on a random split); the test holdout is never looked at. Every
// registered family names its candidates; each is fitted and scored by nDCG@k on every fold (mean
// and spread). Then blends of the default family's best model (EASE) with the partners of the
// two strongest other families are scored from the models already fitted: a family's partner is
// its candidate that blends best with the default family on the first fold (not necessarily its
// best alone), and families rank by that blend. The choice follows the one-standard-error rule
// (Breiman et al. 1984; Hastie, Tibshirani & Friedman, ESL §7.10): the candidates the leader does
// not beat by more than one standard error of the per-customer difference are as good as it within
// noise, and of those the simplest is kept: the default family's best (so noise never trades EASE
// for a lucky challenger), else the fewest parts (a blend of two before one of three).
// To keep selection affordable every candidate is first scored on the first fold only; the later
// folds fit only the candidates within `pruneMargin` of their family's best there, and the blend
// partners: one far behind on a fold (several times the spread between folds) does not win the
// mean, and its fits on the other folds were most of selection's time.
import type { PurchaseLog } from '../customers/purchase-log.ts';
import { DAY_MS } from '../customers/purchase-log.ts';
import type { SearchSettings } from './family.ts';
import { holdoutTargets } from '../customers/split.ts';
import { evaluateBlend, evaluateFitted, partScores } from './offline-evaluation.ts';
import { fitModel, releaseModel, resolveSpec, type FittedModel } from './fit.ts';
import { registeredFamilies, type ModelSpec } from './registry.ts';
import { recycleShared, withSpares } from '../numeric/threads.ts';
import { beatsBeyondNoise, summarise, validationFolds, type FoldScores, type ScoreSummary, type ValidationPlan } from './validation.ts';

export interface SelectionOptions extends SearchSettings {
  plan: ValidationPlan;
  k: number;
  /** The family kept unless a challenger beats it beyond noise (no rule when it has no candidate). */
  defaultFamily: string;
  /** Weights of the default family's model tried in two-part blends (the partner gets 1 - w); [] = no blends. */
  blendWeights: number[];
  /** A candidate more than this share below its family's best on the first fold is not fitted on the other folds. */
  pruneMargin: number;
  onTrial?: (trial: Trial) => void;
}

export const SELECTION_DEFAULTS: Omit<SelectionOptions, 'plan'> = {
  k: 10,
  alsBudget: 2,
  alsIterations: 15,
  seed: 7,
  easeMemoryLimit: 4 * 2 ** 30,
  defaultFamily: 'ease',
  blendWeights: [0.8, 0.65, 0.5],
  pruneMargin: 0.05,
};

export interface Trial {
  spec: ModelSpec;
  /** nDCG@k over the folds: mean, spread (standard deviation of the fold means), per fold. */
  ndcg: ScoreSummary;
  /** Mean fit time over the folds (a blend: the sum of its parts'). */
  fitSeconds: number;
  /** Scored on the first fold only: too far behind there to be fitted on the others. */
  pruned: boolean;
}

export interface Selection {
  best: ModelSpec;
  /** Every candidate in the order tried (blends last). */
  trials: Trial[];
  /** What each fold trained and validated on. */
  folds: string[];
  /** Why a family was left out (e.g. EASE on a catalog too large for memory). */
  skipped: string[];
  /** How the winner was chosen. */
  reason: string;
  /** Wall time of the whole selection. */
  seconds: number;
}

/** A candidate with its per-customer scores on every fold. */
export interface Scored {
  trial: Trial;
  scores: FoldScores;
}

export function selectModel(train: PurchaseLog, options: Partial<SelectionOptions> & { plan: ValidationPlan }): Selection {
  // the models and part scores of the trials are handed back as soon as selection is done with them
  return withSpares(() => select(train, options));
}

function select(train: PurchaseLog, options: Partial<SelectionOptions> & { plan: ValidationPlan }): Selection {
  const o = { ...SELECTION_DEFAULTS, ...options } satisfies SelectionOptions;
  const folds = validationFolds(train, o.plan);
  const skipped: string[] = [];
  const candidates: ModelSpec[] = [];
  const context = { items: train.itemIds.length, spanDays: spanDays(train), alsBudget: o.alsBudget, alsIterations: o.alsIterations, seed: o.seed, easeMemoryLimit: o.easeMemoryLimit };
  for (const family of registeredFamilies()) {
    const space = family.searchSpace(context);
    if (space.skipped) skipped.push(`${family.algorithm}: ${space.skipped}`);
    // the registry holds families untyped: each spec is built from its own family's settings
    candidates.push(...space.candidates.map((settings) => ({ algorithm: family.algorithm, ...settings }) as ModelSpec));
  }
  const started = performance.now();
  const scored: Scored[] = [];
  const scoreOn = (fitted: FittedModel, f: number): Float64Array => evaluateFitted(fitted, folds[f]!.train, folds[f]!.validation, o.k).perUser;
  const record = (spec: ModelSpec, perUser: Float64Array[], seconds: number[], pruned = false): Scored => {
    const entry = { trial: { spec, ndcg: summarise({ perUser }), fitSeconds: mean(seconds), pruned }, scores: { perUser } };
    scored.push(entry);
    o.onTrial?.(entry.trial);
    return entry;
  };
  // a blend is scored from its parts' normalised scores, each part's computed once on its fold
  // for every blend it takes part in (every weight, every partner) and kept as long as its model
  const targets = folds.map((fold) => holdoutTargets(fold.train, fold.validation));
  const partCache = new WeakMap<FittedModel, { popularity: Float32Array; scores: Float32Array }[]>();
  const scoresOf = (part: FittedModel, f: number, popularity: Float32Array): Float32Array => {
    const cached = partCache.get(part) ?? [];
    // parts of different families hold equal all-time popularity vectors: one scoring serves both
    const hit = cached.find((c) => sameValues(c.popularity, popularity));
    if (hit) return hit.scores;
    const scores = partScores(part, targets[f]!.users, popularity);
    partCache.set(part, [...cached, { popularity, scores }]);
    return scores;
  };
  // models and part scores are handed back (threads.ts) as soon as selection is done with them:
  // the next fit of the same shape reuses their memory
  const dropScores = (part: FittedModel | undefined): void => {
    if (!part) return;
    recycleShared((partCache.get(part) ?? []).map((c) => c.scores));
    partCache.delete(part);
  };
  const release = (...models: (FittedModel | undefined)[]): void => {
    for (const m of models) {
      if (!m) continue;
      dropScores(m);
      releaseModel(m);
    }
  };
  const blendOn = (parts: FittedModel[], weights: number[], f: number): Float64Array => {
    const popularity = blendPopularity(parts);
    return evaluateBlend(parts.map((p) => scoresOf(p, f, popularity)), weights, parts[0]!.history, targets[f]!, o.k);
  };
  // the first fold for every candidate, keeping the model of each family's best there and, when
  // blends are tried, of every candidate of the other families until their blend partner is known
  const blending = o.blendWeights.length > 0;
  const keepsModel = (spec: ModelSpec) => blending && spec.algorithm !== o.defaultFamily;
  const firstFold: { spec: ModelSpec; perUser: Float64Array; score: number; seconds: number; fitted?: FittedModel }[] = [];
  const familyBest = new Map<string, number>();
  for (const spec of candidates) {
    const fitted = fitModel(folds[0]!.train, spec);
    const perUser = scoreOn(fitted, 0);
    const index = firstFold.push({ spec, perUser, score: mean(perUser), seconds: fitted.seconds, fitted }) - 1;
    const best = familyBest.get(spec.algorithm);
    const leads = best === undefined || firstFold[index]!.score > firstFold[best]!.score;
    const dropped = leads ? best : index;
    if (leads) familyBest.set(spec.algorithm, index);
    if (dropped !== undefined && !keepsModel(firstFold[dropped]!.spec)) {
      release(firstFold[dropped]!.fitted);
      delete firstFold[dropped]!.fitted;
    }
  }
  // each other family's blend partner: its candidate whose blend with the default family's
  // first-fold best scores best there at the first blend weight (the best alone need not blend
  // best: kNN on 30-day recency weights ranks below plain kNN alone and above it beside
  // recency-weighted EASE on both of Online Retail's time windows); the other probes are recorded
  // as stopped after the first fold
  const partners = new Map<string, { index: number; score: number }>();
  const mainFirst = blending ? firstFold[familyBest.get(o.defaultFamily) ?? -1]?.fitted : undefined;
  const w0 = o.blendWeights[0]!;
  const probes: { index: number; spec: ModelSpec; perUser: Float64Array; seconds: number }[] = [];
  if (mainFirst) {
    firstFold.forEach((c, index) => {
      if (!c.fitted || c.spec.algorithm === o.defaultFamily) return;
      const parts = [mainFirst, c.fitted];
      const weights = [w0, round(1 - w0)];
      const perUser = blendOn(parts, weights, 0);
      probes.push({ index, spec: blendSpec(parts, weights), perUser, seconds: partSeconds(parts) });
      // only the family's best partner so far may be blended again
      const best = partners.get(c.spec.algorithm);
      const leads = !best || mean(perUser) > best.score;
      if (!leads) dropScores(c.fitted);
      else {
        if (best) dropScores(firstFold[best.index]!.fitted);
        partners.set(c.spec.algorithm, { index, score: mean(perUser) });
      }
    });
  }
  const isPartner = (index: number) => partners.get(firstFold[index]!.spec.algorithm)?.index === index;
  for (const c of firstFold.filter((c, index) => c.spec.algorithm !== o.defaultFamily && !isPartner(index))) {
    release(c.fitted);
    delete c.fitted;
  }
  // the fitted models (one per fold) of the other families' partners and of the default family's
  // best candidate by mean: the blends' parts
  const leaders = new Map<string, { mean: number; fitted: FittedModel[] }>();
  let mainLeader: { mean: number; spec: ModelSpec; first: FittedModel | undefined; later: FittedModel[] } | undefined;
  firstFold.forEach((c, index) => {
    const best = familyBest.get(c.spec.algorithm)!;
    const partner = isPartner(index);
    if (!partner && c.score < firstFold[best]!.score * (1 - o.pruneMargin)) {
      record(c.spec, [c.perUser], [c.seconds], true);
      return;
    }
    const later = folds.slice(1).map((fold) => fitModel(fold.train, c.spec));
    const { trial } = record(c.spec, [c.perUser, ...later.map((f, j) => scoreOn(f, j + 1))], [c.seconds, ...later.map((f) => f.seconds)]);
    if (c.spec.algorithm !== o.defaultFamily) {
      // other families are ranked for the blends by how well their partner blended on the first fold
      if (partner) leaders.set(c.spec.algorithm, { mean: partners.get(c.spec.algorithm)!.score, fitted: [c.fitted!, ...later] });
      else release(...later);
      return;
    }
    // the default family's best on the first fold kept its model there (needed no longer after
    // this); the final leader, when another, is refitted on it once it has won (below)
    const kept = best === index ? c.fitted : undefined;
    if (kept) delete c.fitted;
    if (!blending || (mainLeader && trial.ndcg.mean <= mainLeader.mean)) {
      release(kept, ...later);
      return;
    }
    if (mainLeader) release(mainLeader.first, ...mainLeader.later);
    mainLeader = { mean: trial.ndcg.mean, spec: c.spec, first: kept, later };
  });
  for (const p of probes) if (!isPartner(p.index)) record(p.spec, [p.perUser], [p.seconds], true);
  if (scored.length === 0) throw new RangeError('no candidate model to select from');
  // parts[p][f]: part p's model on fold f
  const blendTrial = (parts: FittedModel[][], weights: number[]): Scored => {
    const byFold = folds.map((_, f) => parts.map((p) => p[f]!));
    return record(blendSpec(byFold[0]!, weights), byFold.map((fitted, f) => blendOn(fitted, weights, f)), byFold.map(partSeconds));
  };
  if (mainLeader) {
    const main = [mainLeader.first ?? fitModel(folds[0]!.train, mainLeader.spec), ...mainLeader.later];
    blendTrials(main, leaders, o, blendTrial);
    release(...main);
  }
  for (const { fitted } of leaders.values()) release(...fitted);

  // pruned trials have a first-fold score only: not comparable with the means
  const complete = scored.filter((s) => !s.trial.pruned);
  const best = top(complete)!;
  const bestDefault = top(complete.filter((s) => s.trial.spec.algorithm === o.defaultFamily));
  const pruned = scored.length - complete.length;
  const probed = probes.length - partners.size;
  const stoppedBehind = pruned - probed;
  const stops = [
    ...(stoppedBehind > 0 ? [`${stoppedBehind} more than ${o.pruneMargin * 100}% behind their family's best there`] : []),
    ...(probed > 0 ? [`${probed} blends of a partner that blended less well than its family's best partner there`] : []),
  ];
  const basis = `best mean nDCG@${o.k} over ${folds.length} fold${folds.length === 1 ? '' : 's'}${pruned > 0 ? ` (${pruned} of ${scored.length} candidates stopped after the first fold: ${stops.join('; ')})` : ''}`;
  const choice = chooseWithinNoise(complete, o.defaultFamily);
  const leader = `the leader (${label(best.trial)}) was ahead of it by less than one standard error`;
  if (choice.rule === 'default') return result(choice.chosen, `${o.defaultFamily}, the default family: ${leader}`);
  if (choice.rule === 'fewer parts') return result(choice.chosen, `${basis}; the fewest parts within noise: ${leader}`);
  if (!bestDefault || best === bestDefault) return result(best, basis);
  return result(best, `${basis}, ahead of the best ${o.defaultFamily} by more than one standard error`);

  function result(chosen: Scored, reason: string): Selection {
    return { best: chosen.trial.spec, trials: scored.map((s) => s.trial), folds: folds.map((f) => f.label), skipped, reason, seconds: (performance.now() - started) / 1000 };
  }
}

/**
 * The final choice among fully scored candidates by the one-standard-error rule: of the candidates
 * the leader (best mean) does not beat by more than one standard error of the per-customer
 * difference, the default family's best when it is one of them; else the one with the fewest parts
 * (a single model counts one), best mean among those, which may be the leader itself.
 */
export function chooseWithinNoise(candidates: readonly Scored[], defaultFamily: string): { chosen: Scored; rule: 'leader' | 'default' | 'fewer parts' } {
  const leader = top(candidates);
  if (!leader) throw new RangeError('no candidate model to select from');
  const withinNoise = candidates.filter((c) => c === leader || !beatsBeyondNoise(leader.scores, c.scores));
  const bestDefault = top(candidates.filter((c) => c.trial.spec.algorithm === defaultFamily));
  if (bestDefault === leader) return { chosen: leader, rule: 'leader' };
  if (bestDefault && withinNoise.includes(bestDefault)) return { chosen: bestDefault, rule: 'default' };
  const fewest = Math.min(...withinNoise.map((c) => partCount(c.trial.spec)));
  const simplest = top(withinNoise.filter((c) => partCount(c.trial.spec) === fewest))!;
  return simplest === leader ? { chosen: leader, rule: 'leader' } : { chosen: simplest, rule: 'fewer parts' };
}

function partCount(spec: ModelSpec): number {
  return spec.algorithm === 'blend' ? (spec.parts?.length ?? 1) : 1;
}

function label(trial: Trial): string {
  return `${trial.spec.algorithm === 'blend' ? `blend of ${partCount(trial.spec)}` : trial.spec.algorithm}, ${trial.ndcg.mean.toFixed(5)}`;
}

/**
 * Two-part blends of the default family's leader with each of the two strongest other families'
 * partners (`leaders`; popularity included: recent popularity is the partner time splits like), at every
 * weight, then three-part blends of the best pair's partner with the other pair's and, when it is
 * in neither pair, with popularity's leader: popularity as a small prior under the two models
 * (on Online Retail's first time window, recency-weighted EASE + kNN + 30-day popularity at 0.7 /
 * 0.2 / 0.1 led every pair, bench/quality/README.md).
 */
function blendTrials(main: FittedModel[], leaders: Map<string, { mean: number; fitted: FittedModel[] }>, o: SelectionOptions, blend: (parts: FittedModel[][], weights: number[]) => Scored): void {
  const others = [...leaders.entries()].sort((a, b) => b[1].mean - a[1].mean);
  const partners = others.slice(0, 2).map(([, leader]) => leader.fitted);
  const pairs = partners.map((partner) => {
    const runs = o.blendWeights.map((w) => ({ w, mean: blend([main, partner], [w, round(1 - w)]).trial.ndcg.mean }));
    const bestRun = runs.reduce((a, b) => (b.mean > a.mean ? b : a));
    return { partner, ...bestRun };
  });
  if (pairs.length < 2) return;
  const [first, second] = pairs.sort((a, b) => b.mean - a.mean) as [(typeof pairs)[number], (typeof pairs)[number]];
  const popularity = others.slice(2).find(([family]) => family === 'popularity')?.[1].fitted;
  // the best pair's weight for the default model and 0.1 less (a third part takes some of its
  // share), the rest split 2:1 between the partners
  for (const third of popularity ? [second.partner, popularity] : [second.partner]) {
    for (const w of new Set([first.w, Math.max(0.1, round(first.w - 0.1))])) {
      const rest = 1 - w;
      blend([main, first.partner, third], [w, round((rest * 2) / 3), round(rest / 3)]);
    }
  }
}

function blendSpec(parts: FittedModel[], weights: number[]): ModelSpec {
  return { algorithm: 'blend', parts: parts.map((p) => resolveSpec(p.spec)), weights };
}

/** The popularity vector a blend of these parts scores with: a trending-popularity part's own, else the first part's. */
function blendPopularity(parts: FittedModel[]): Float32Array {
  return (parts.find((p) => p.spec.algorithm === 'popularity') ?? parts[0]!).popularity;
}

/** A blend's fit time: its parts', fitted once each. */
function partSeconds(parts: FittedModel[]): number {
  return parts.reduce((s, p) => s + p.seconds, 0);
}

function sameValues(a: Float32Array, b: Float32Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

function top(scored: readonly Scored[]): Scored | undefined {
  return scored.length === 0 ? undefined : scored.reduce((a, b) => (b.trial.ndcg.mean > a.trial.ndcg.mean ? b : a));
}

function spanDays(log: PurchaseLog): number {
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < log.time.length; k++) {
    min = Math.min(min, log.time[k]!);
    max = Math.max(max, log.time[k]!);
  }
  return max > min ? (max - min) / DAY_MS : 0;
}

function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < values.length; j++) s += values[j]!;
  return s / Math.max(1, values.length);
}

function round(w: number): number {
  return Math.round(w * 1000) / 1000;
}
