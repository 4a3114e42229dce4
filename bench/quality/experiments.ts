// Experiments on validation windows only (never the test): scores many candidate settings and
// blends on one scenario and prints nDCG@10 per setting. The scenarios:
//   time    Online Retail, train before 2011-06-09, validate on [2011-06-09, 2011-09-09)
//   time2   the same 46 days earlier (the selection's second fold), validate on [2011-04-24, 2011-07-24)
//   random  Online Retail pairs split 75/25 at random per customer (seed 1) as a stand-in test;
//           validation = a 75/25 per-customer holdout of that train (seed 2)
//   item    the same, stratified per item
//   sparse  the sparse shop (sparse-shop.ts), inner time window as for `time`
//   npx tsx bench/quality/experiments.ts time|time2|random|item|sparse [--group ease,rp3,knn,blend,recency,...]
import { parseArgs } from 'node:util';
import { readPurchaseLog } from '../../src/import/read-purchase-log.ts';
import { fitEase } from '../../src/ml/cf/ease.ts';
import { fitItemKnn } from '../../src/ml/cf/knn.ts';
import { fitRp3beta } from '../../src/ml/cf/rp3beta.ts';
import { fitPopularity } from '../../src/ml/cf/popularity.ts';
import { addPopularityPrior, popularityPrior } from '../../src/ml/cf/popularity-prior.ts';
import { blendScores } from '../../src/ml/cf/blend.ts';
import { pairStats, withValues, type Csr } from '../../src/ml/cf/sparse.ts';
import { topN } from '../../src/ml/cf/top-n.ts';
import { rankingReport } from '../../src/ml/metrics/ranking.ts';
import { holdoutTargets, splitByTime, type TrainTest } from '../../src/ml/customers/split.ts';
import { splitRandomHoldout } from '../../src/ml/customers/random-split.ts';
import { matMul } from '../../src/ml/numeric/linalg.ts';
import { spdInverseInPlace } from '../../src/ml/numeric/spd-inverse.ts';
import { sparseGram } from '../../src/ml/numeric/sparse-products.ts';
import { initTf } from '../../src/ml/numeric/tf.ts';
import { density, sparseShop } from './sparse-shop.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { group: { type: 'string', default: 'ease,rp3,knn,blend' }, decay: { type: 'string', default: '60:200,120:200,240:200,60:500,120:500,240:500' } } });
const scenario = positionals[0] ?? 'time';
const groups = new Set(values.group.split(','));
await initTf();
const { log } = await readPurchaseLog('data/online-retail/online_retail_lines.csv.gz', 'online-retail');
const TEST_CUTOFF = Date.parse('2011-09-09T00:00:00Z');
const INNER = Date.parse('2011-06-09T00:00:00Z');

function validation(): TrainTest {
  switch (scenario) {
    case 'time':
      return splitByTime(splitByTime(log, TEST_CUTOFF).train, INNER);
    case 'time2':
      // the selection's second time fold: validate on [2011-04-24, 2011-07-24)
      return splitByTime(splitByTime(log, Date.parse('2011-07-24T00:00:00Z')).train, Date.parse('2011-04-24T00:00:00Z'));
    case 'random':
    case 'item': {
      const stratum = scenario === 'random' ? 'customer' : 'item';
      const outer = splitRandomHoldout(log, { fraction: 0.25, stratum, seed: 1 });
      return splitRandomHoldout(outer.train, { fraction: 0.25, stratum, seed: 2 });
    }
    case 'sparse': {
      const shop = sparseShop(log);
      const inner = splitByTime(splitByTime(shop, TEST_CUTOFF).train, INNER);
      process.stderr.write(`sparse shop inner train ${JSON.stringify(density(inner.train))}\n`);
      return inner;
    }
    default:
      throw new Error(`unknown scenario ${scenario}`);
  }
}

const { train, test } = validation();
const stats = pairStats(train);
const x = withValues(stats.matrix, new Float32Array(stats.matrix.values.length).fill(1));
const nItems = train.itemIds.length;
const { users, relevant } = holdoutTargets(train, test);
process.stderr.write(`${scenario}: ${train.customerIds.length} customers, ${nItems} items, ${users.length} validation users\n`);
const userRows = (() => {
  const out = new Float32Array(users.length * nItems);
  users.forEach((u, j) => {
    for (let e = x.rowPtr[u]!; e < x.rowPtr[u + 1]!; e++) out[j * nItems + x.colIdx[e]!] = 1;
  });
  return out;
})();

type Scores = Float32Array; // users x items
function ndcg(scores: Scores): number {
  const cases = Array.from(users, (u, j) => {
    const own = new Set(x.colIdx.subarray(x.rowPtr[u]!, x.rowPtr[u + 1]!));
    return { relevant: relevant[j]!, ranked: topN(scores.subarray(j * nItems, (j + 1) * nItems), 10, undefined, (i) => own.has(i)).map((s) => s.item) };
  });
  return rankingReport(cases, 10, nItems).ndcg;
}
function report(name: string, scores: Scores, started: number): void {
  process.stdout.write(`${scenario}\t${name}\t${ndcg(scores).toFixed(5)}\t${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
function dense(weights: Float32Array): Scores {
  return matMul(userRows, [users.length, nItems], weights, [nItems, nItems]);
}
function sparseScores(m: Csr): Scores {
  const out = new Float32Array(users.length * nItems);
  users.forEach((u, j) => {
    const base = j * nItems;
    for (let e = x.rowPtr[u]!; e < x.rowPtr[u + 1]!; e++) {
      const i = x.colIdx[e]!;
      for (let a = m.rowPtr[i]!; a < m.rowPtr[i + 1]!; a++) out[base + m.colIdx[a]!]! += m.values[a]!;
    }
  });
  return out;
}
const prior = popularityPrior(fitPopularity(train));
function withPrior(s: Scores, weight: number): Scores {
  const out = s.slice();
  for (let j = 0; j < users.length; j++) addPopularityPrior(out.subarray(j * nItems, (j + 1) * nItems), prior, weight);
  return out;
}
function blend(parts: Scores[], weights: number[]): Scores {
  const out = new Float32Array(users.length * nItems);
  for (let j = 0; j < users.length; j++) {
    const rows = parts.map((p) => p.slice(j * nItems, (j + 1) * nItems));
    blendScores(rows, weights, out.subarray(j * nItems, (j + 1) * nItems));
  }
  return out;
}
/** EDLAE (Steck 2020): EASE with the dropout penalty p / (1 - p) G_ii added to lambda on the diagonal. */
function fitEdlae(lambda: number, dropout: number, m: Csr = x): Float32Array {
  const n = nItems;
  const p = sparseGram(m);
  for (let i = 0; i < n; i++) p[i * n + i]! += lambda + (dropout / (1 - dropout)) * p[i * n + i]!;
  spdInverseInPlace(p, n, 256);
  const inv = new Float32Array(n);
  for (let j = 0; j < n; j++) inv[j] = -1 / p[j * n + j]!;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) p[i * n + j]! *= inv[j]!;
    p[i * n + i] = 0;
  }
  return p;
}

let t = performance.now();
const popScores = new Float32Array(users.length * nItems);
for (let j = 0; j < users.length; j++) popScores.set(prior, j * nItems);
report('popularity', popScores, t);

const keep = new Map<string, Scores>();
if (groups.has('ease') || groups.has('blend')) {
  for (const lambda of groups.has('ease') ? [50, 100, 200, 300, 400, 500, 700, 1000, 1500] : [500]) {
    t = performance.now();
    const s = dense(fitEase(x, { lambda }));
    report(`ease lambda ${lambda}`, s, t);
    if (lambda === 500) keep.set('ease', s);
  }
}
if (groups.has('trend')) {
  const ease = keep.get('ease') ?? dense(fitEase(x, { lambda: 500 }));
  keep.set('ease', ease);
  const end = train.time.reduce((a, b) => Math.max(a, b), -Infinity);
  for (const windowDays of [14, 30, 60]) {
    const trend = fitPopularity(train, { windowDays, endTime: end });
    const trendScores = new Float32Array(users.length * nItems);
    for (let j = 0; j < users.length; j++) trendScores.set(trend, j * nItems);
    t = performance.now();
    report(`popularity ${windowDays} days`, trendScores, t);
    for (const w of [0.1, 0.2, 0.3, 0.4]) report(`blend ease ${1 - w} + trending ${windowDays} d ${w}`, blend([ease, trendScores], [1 - w, w]), t);
  }
}
if (groups.has('decay')) {
  const end = train.time.reduce((a, b) => Math.max(a, b), -Infinity);
  for (const [halfLife, lambda] of values.decay.split(',').map((p) => p.split(':').map(Number) as [number, number])) {
    t = performance.now();
    const decayed = withValues(x, Float32Array.from(stats.lastTime, (last) => Math.pow(2, -(end - last) / (halfLife * 86_400_000))));
    const s = dense(fitEase(decayed, { lambda }));
    report(`ease lambda ${lambda} on recency-weighted gram, half-life ${halfLife} d`, s, t);
    if (!keep.has('decayed')) keep.set('decayed', s);
  }
}
if (groups.has('combo')) {
  const main = keep.get('decayed')!;
  const knn = sparseScores(fitItemKnn(x, { neighbours: 20 }));
  const end = train.time.reduce((a, b) => Math.max(a, b), -Infinity);
  const trend = fitPopularity(train, { windowDays: 30, endTime: end });
  const trendScores = new Float32Array(users.length * nItems);
  for (let j = 0; j < users.length; j++) trendScores.set(trend, j * nItems);
  t = performance.now();
  for (const w of [0.2, 0.35]) report(`blend decayed ease ${1 - w} + knn20 ${w}`, blend([main, knn], [1 - w, w]), t);
  for (const w of [0.1, 0.2]) report(`blend decayed ease ${1 - w} + trending 30 d ${w}`, blend([main, trendScores], [1 - w, w]), t);
  report(`blend decayed ease 0.6 + knn20 0.25 + trending 0.15`, blend([main, knn, trendScores], [0.6, 0.25, 0.15]), t);
  report(`blend decayed ease 0.7 + knn20 0.2 + trending 0.1`, blend([main, knn, trendScores], [0.7, 0.2, 0.1]), t);
}
if (groups.has('recency')) {
  // recency weights (2^(-age / half-life) per pair) for the blend's kNN part: cosine of the weighted
  // buyer vectors, scoring unchanged; blends with the selected main part (EASE λ 200, half-life 60 d)
  const end = train.time.reduce((a, b) => Math.max(a, b), -Infinity);
  const decay = (halfLife: number) => withValues(x, Float32Array.from(stats.lastTime, (last) => Math.pow(2, -(end - last) / (halfLife * 86_400_000))));
  t = performance.now();
  const main = dense(fitEase(decay(60), { lambda: 200 }));
  report('ease lambda 200 on recency-weighted gram, half-life 60 d', main, t);
  for (const neighbours of [10, 20]) {
    t = performance.now();
    const plain = sparseScores(fitItemKnn(x, { neighbours }));
    report(`knn ${neighbours}`, plain, t);
    for (const w of [0.1, 0.15, 0.2, 0.25]) report(`blend decayed ease ${round2(1 - w)} + knn${neighbours} ${w}`, blend([main, plain], [1 - w, w]), t);
    for (const halfLife of [30, 60, 120]) {
      t = performance.now();
      const weighted = sparseScores(fitItemKnn(decay(halfLife), { neighbours }));
      report(`knn ${neighbours} recency-weighted cosine, half-life ${halfLife} d`, weighted, t);
      for (const w of [0.15, 0.2, 0.25]) report(`blend decayed ease ${round2(1 - w)} + recency knn${neighbours} ${halfLife} d ${w}`, blend([main, weighted], [1 - w, w]), t);
    }
  }
}
if (groups.has('profile')) {
  // recency at scoring: each of the customer's items weighs 2^(-age / half-life) in the sum of B's
  // rows (age from the pair's last purchase to the end of train), for EASE and the blend partner
  const end = train.time.reduce((a, b) => Math.max(a, b), -Infinity);
  const decay = (halfLife: number) => withValues(x, Float32Array.from(stats.lastTime, (last) => Math.pow(2, -(end - last) / (halfLife * 86_400_000))));
  const weightedRows = (halfLife: number) => {
    const w = decay(halfLife);
    const out = new Float32Array(users.length * nItems);
    users.forEach((u, j) => {
      for (let e = w.rowPtr[u]!; e < w.rowPtr[u + 1]!; e++) out[j * nItems + w.colIdx[e]!] = w.values[e]!;
    });
    return out;
  };
  const knnScores = (m: Csr, rows: Float32Array) => {
    const out = new Float32Array(users.length * nItems);
    users.forEach((u, j) => {
      for (let e = x.rowPtr[u]!; e < x.rowPtr[u + 1]!; e++) {
        const i = x.colIdx[e]!;
        const r = rows[j * nItems + i]!;
        for (let a = m.rowPtr[i]!; a < m.rowPtr[i + 1]!; a++) out[j * nItems + m.colIdx[a]!]! += r * m.values[a]!;
      }
    });
    return out;
  };
  const models: [string, Float32Array][] = [['ease lambda 500', fitEase(x, { lambda: 500 })], ['ease lambda 200 half-life 60 d', fitEase(decay(60), { lambda: 200 })]];
  const knn = fitItemKnn(decay(30), { neighbours: 20 });
  for (const profile of [0, 15, 30, 60, 120, 240, 480]) {
    const rows = profile > 0 ? weightedRows(profile) : userRows;
    for (const [name, b] of models) {
      t = performance.now();
      const s = matMul(rows, [users.length, nItems], b, [nItems, nItems]);
      report(`${name}, profile half-life ${profile} d`, s, t);
      if (name.includes('200')) report(`blend 0.8 × (${name}) + 0.2 × knn 20 30 d, profile half-life ${profile} d`, blend([s, knnScores(knn, rows)], [0.8, 0.2]), t);
    }
  }
}
if (groups.has('counts')) {
  // repeat purchases as strength: each pair weighs (1 + log(lines)) (or √lines) times its recency
  // weight, for EASE's Gram and the customer's row at scoring, against the binary recency EASE
  const end = train.time.reduce((a, b) => Math.max(a, b), -Infinity);
  const recency = Float32Array.from(stats.lastTime, (last) => Math.pow(2, -(end - last) / (60 * 86_400_000)));
  const strengths: [string, (lines: number) => number][] = [['binary', () => 1], ['1 + log lines', (l) => 1 + Math.log(l)], ['sqrt lines', (l) => Math.sqrt(l)]];
  for (const [name, f] of strengths) {
    const values = Float32Array.from(stats.lines, (l, e) => f(l) * recency[e]!);
    for (const rowsWeighted of [false, true]) {
      const rows = new Float32Array(users.length * nItems);
      users.forEach((u, j) => {
        for (let e = x.rowPtr[u]!; e < x.rowPtr[u + 1]!; e++) rows[j * nItems + x.colIdx[e]!] = rowsWeighted ? f(stats.lines[e]!) : 1;
      });
      for (const lambda of [200, 500]) {
        t = performance.now();
        const b = fitEase(withValues(x, values), { lambda });
        report(`ease lambda ${lambda} half-life 60 d, pairs weighted ${name}, rows ${rowsWeighted ? 'weighted' : 'binary'}`, matMul(rows, [users.length, nItems], b, [nItems, nItems]), t);
      }
      if (name === 'binary') break;
    }
  }
}
if (groups.has('edlae')) {
  for (const [lambda, dropout] of [[100, 0.1], [200, 0.1], [300, 0.1], [100, 0.25], [200, 0.25], [50, 0.33], [100, 0.33], [300, 0.25]] as const) {
    t = performance.now();
    report(`edlae lambda ${lambda} p ${dropout}`, dense(fitEdlae(lambda, dropout)), t);
  }
}
if (groups.has('edlae-decay')) {
  const end = train.time.reduce((a, b) => Math.max(a, b), -Infinity);
  for (const [halfLife, lambda, dropout] of [[60, 200, 0], [60, 200, 0.1], [60, 200, 0.2], [60, 100, 0.2], [60, 300, 0.1]] as const) {
    t = performance.now();
    const decayed = withValues(x, Float32Array.from(stats.lastTime, (last) => Math.pow(2, -(end - last) / (halfLife * 86_400_000))));
    report(`edlae lambda ${lambda} p ${dropout} on recency-weighted gram, half-life ${halfLife} d`, dense(fitEdlae(lambda, dropout, decayed)), t);
  }
}
if (groups.has('rp3') || groups.has('blend')) {
  const grid = groups.has('rp3')
    ? [[1, 0.5, 100], [0.8, 0.5, 100], [0.8, 0.5, 20], [0.8, 0.4, 20], [0.8, 0.6, 20], [0.9, 0.5, 20], [0.7, 0.5, 20], [0.8, 0.5, 10], [0.8, 0.5, 40]]
    : [[0.8, 0.5, 20]];
  for (const [alpha, beta, neighbours] of grid) {
    t = performance.now();
    const s = sparseScores(fitRp3beta(x, { alpha, beta, neighbours }));
    report(`rp3beta alpha ${alpha} beta ${beta} k ${neighbours}`, s, t);
    report(`rp3beta alpha ${alpha} beta ${beta} k ${neighbours} + tie-break`, withPrior(s, 1e-4), t);
    report(`rp3beta alpha ${alpha} beta ${beta} k ${neighbours} + prior 0.05`, withPrior(s, 0.05), t);
    if (alpha === 0.8 && beta === 0.5 && neighbours === 20) keep.set('rp3', s);
  }
}
if (groups.has('knn')) {
  for (const neighbours of [10, 20, 50]) {
    t = performance.now();
    const s = sparseScores(fitItemKnn(x, { neighbours }));
    if (neighbours === 20) keep.set('knn', s);
    report(`knn ${neighbours}`, s, t);
    report(`knn ${neighbours} + tie-break`, withPrior(s, 1e-4), t);
    for (const w of [0.02, 0.1, 0.3]) report(`knn ${neighbours} + prior ${w}`, withPrior(s, w), t);
  }
}
if (groups.has('blend')) {
  const ease = keep.get('ease')!;
  const rp3 = keep.get('rp3')!;
  for (const w of [0.2, 0.35, 0.5]) {
    t = performance.now();
    report(`blend ease ${1 - w} + rp3beta ${w}`, blend([ease, rp3], [1 - w, w]), t);
  }
  for (const w of [0.05, 0.15]) report(`blend ease ${1 - w} + popularity ${w}`, blend([ease, popScores], [1 - w, w]), t);
  const knn = keep.get('knn');
  if (knn) for (const w of [0.2, 0.35, 0.5]) report(`blend ease ${1 - w} + knn20 ${w}`, blend([ease, knn], [1 - w, w]), t);
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
